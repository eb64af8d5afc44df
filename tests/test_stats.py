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


def test_no_pic_records_nothing(run_untranslated, own_image, tmp_path):
    path = str(tmp_path / "stats.json")
    r = run_untranslated(own_image, "--no-pic", "--stats-json", path,
                         "-e", "3 + 4")
    assert r.out.endswith("7\n"), r
    data = json.load(open(path))
    assert data["pic_enabled"] is False
    assert data["sites"]["monomorphic"]["sites"] == 0
