"""--stats and --stats-json: the send-site census."""

import json


def test_stats_text_and_json(run_untranslated, own_image, tmp_path):
    path = str(tmp_path / "stats.json")
    r = run_untranslated(own_image, "--stats", "--stats-json", path,
                         "--pic-size", "2", "-e", "3 + 4")
    assert r.status == 0, r
    assert r.out.endswith("7\n")
    assert "send-site census (pic size 2):" in r.err
    assert "top send sites:" in r.err and "lookup_flushes" in r.err
    data = json.load(open(path))
    assert data["pic_size"] == 2 and data["pic_enabled"] is True
    sites = data["sites"]
    assert sites["monomorphic"]["sites"] > 0
    assert sites["monomorphic"]["sends"] > 0
    assert len(data["top_sites"]) > 0
    top = data["top_sites"][0]
    assert top["sends"] >= data["top_sites"][-1]["sends"]
    assert ">>" in top["location"]
    assert "loops" in data["jit"]
    # untranslated there is no JIT: its time is 0
    assert data["jit"]["time_ms"] == 0
    # what the pure-method evaluator gave up (pureleaf.py)
    assert sorted(data["pure_methods"]) == ["cache_misses", "gave_up",
                                            "not_tried"]
    assert data["pure_methods"]["cache_misses"] <= \
        data["pure_methods"]["gave_up"]
    assert "pure methods (run without a context):" in r.err


def test_megamorphic_sites_are_listed(run_untranslated, own_image, tmp_path):
    path = str(tmp_path / "stats.json")
    # printString's own sends see four receiver classes: past --pic-size 2
    r = run_untranslated(own_image, "--stats", "--stats-json", path,
                         "--pic-size", "2", "-e",
                         "1 printString size + $a printString size + "
                         "'x' printString size + nil printString size")
    assert r.status == 0, r
    data = json.load(open(path))
    listed = data["megamorphic_sites"]
    assert len(listed) == min(15, data["sites"]["megamorphic"]["sites"]) > 0
    assert all(">>" in site["location"] for site in listed)
    assert listed[0]["sends"] >= listed[-1]["sends"]
    assert "megamorphic sites:" in r.err
    assert "%s %s" % (listed[0]["location"], listed[0]["selector"]) in r.err


# the doIt's printString site meets nil, a Char and a String, then only
# SmallInts: it turns megamorphic at the String (past --pic-size 2) and
# samples SmallInt, a class it never recorded, as hot
MOSTLY_SMALLINTS = ("1 to: 300 do: [:i | (i = 1 ifTrue: [nil] ifFalse: "
                    "[i = 2 ifTrue: [$a] ifFalse: [i = 3 ifTrue: ['x'] "
                    "ifFalse: [i]]]) printString]")


def test_hot_classes_are_listed(run_untranslated, own_image, tmp_path):
    path = str(tmp_path / "stats.json")
    r = run_untranslated(own_image, "--stats", "--stats-json", path,
                         "--pic-size", "2", "-e", MOSTLY_SMALLINTS)
    assert r.status == 0, r
    data = json.load(open(path))
    assert data["hot_classes"] == 4
    hot = [site["hot_classes"] for site in data["megamorphic_sites"]
           if site["hot_classes"]]
    assert ["SmallInt"] in hot
    assert all(len(names) <= 4 for names in hot)
    assert "(hot: SmallInt)" in r.err


def test_hot_classes_option_reaches_the_sites(run_untranslated, own_image,
                                              tmp_path):
    path = str(tmp_path / "stats.json")
    r = run_untranslated(own_image, "--stats-json", path, "--pic-size", "2",
                         "--hot-classes", "0", "-e", MOSTLY_SMALLINTS)
    assert r.status == 0, r
    data = json.load(open(path))
    assert data["hot_classes"] == 0
    assert data["megamorphic_sites"]
    assert all(site["hot_classes"] == [] for site in data["megamorphic_sites"])


def test_no_pic_records_nothing(run_untranslated, own_image, tmp_path):
    path = str(tmp_path / "stats.json")
    r = run_untranslated(own_image, "--no-pic", "--stats-json", path,
                         "-e", "3 + 4")
    assert r.out.endswith("7\n"), r
    data = json.load(open(path))
    assert data["pic_enabled"] is False
    assert data["sites"]["monomorphic"]["sites"] == 0


def test_finished_doits_leave_no_sites_behind(own_image):
    # every REPL line compiles a doIt with its own send sites; once it has
    # run they must be collectable (a 300,000-line session used to keep
    # 617 MB of them)
    import gc
    from spyvm.objspace import ObjSpace
    from spyvm.interpreter import Interpreter
    from spyvm.image_reader import load_image
    from spyvm.hostio import read_image_file
    from spyvm.session import Session
    space = ObjSpace()
    load_image(space, read_image_file(own_image))
    session = Session(Interpreter(space))
    session.doit("SmallWorld startUp")

    def live_after(lines):
        for i in range(lines):
            session.evaluate_and_print("%d + (%d max: 3) printString size" % (i, i))
        gc.collect()
        return len(space.sites.live_sites()), len(space.sites.refs)

    live_5, slots_5 = live_after(5)
    live_60, slots_60 = live_after(60)
    assert live_60 == live_5 > 0
    # dead references are dropped when the list doubles
    assert slots_60 <= 2 * (live_60 + 100)
