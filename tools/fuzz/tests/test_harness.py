"""The runner, classification, campaign and report, on a fake VM."""

import json
import os
import stat
import sys

import pytest

from tools.fuzz import runner, campaign, report
from tools.fuzz.cases import Case, BaseImages

FAKE = os.path.join(os.path.dirname(__file__), "fakevm.py")


def run_fake(tmp_path, expr, **kw):
    (tmp_path / "x.image").write_bytes(b"\x00\x00\x00\x01")
    return runner.run([FAKE, "x.image", "-e", expr], str(tmp_path), **kw)


@pytest.mark.parametrize("expr,cls", [
    ("3 + 4", "ran"), ("error", "clean_error"), ("silent", "silent_error"),
    ("crash", "crash"), ("internal", "crash")])
def test_classes(tmp_path, expr, cls):
    r = run_fake(tmp_path, expr)
    assert runner.classify(r)[0] == cls, r.as_dict()


def test_the_vms_own_time_limit_is_not_a_hang(tmp_path):
    (tmp_path / "x.image").write_bytes(b"\x00\x00\x00\x01")
    flags = ["--max-time", str(runner.vm_time_limit(3))]
    r = runner.run([FAKE] + flags + ["x.image", "-e", "loop"],
                   str(tmp_path), timeout=3)
    assert runner.classify(r) == ("time_limit", "--max-time reached")
    assert not runner.completed("time_limit")
    r = runner.run([FAKE, "x.image", "-e", "loop"], str(tmp_path), timeout=1)
    assert runner.classify(r)[0] == "hang"


def test_crash_cause_names_signal(tmp_path):
    r = run_fake(tmp_path, "crash")
    assert r.signal == 11
    assert runner.classify(r)[1].startswith("signal SIGSEGV")


def test_timeout_is_a_hang(tmp_path):
    r = run_fake(tmp_path, "hang", timeout=1.0)
    assert r.timed_out and r.seconds < 10
    assert runner.classify(r) == ("hang", "no exit within the time limit")


def test_max_rss_is_the_childs(tmp_path):
    small = run_fake(tmp_path, "3 + 4")
    big = run_fake(tmp_path, "memory")
    assert big.maxrss_kb > small.maxrss_kb + 150 * 1024
    assert runner.classify(big, rss_limit=100 * 1024 * 1024)[0] == \
        "over_memory"
    assert runner.classify(big)[0] == "ran"


def test_address_space_limit_applies(tmp_path):
    r = run_fake(tmp_path, "memory", as_limit=120 * 1024 * 1024)
    assert r.status != 0 or r.signal is not None
    assert "MemoryError" in r.stderr


def test_stdout_kept_and_hashed(tmp_path):
    r = run_fake(tmp_path, "3 + 4")
    assert r.stdout == "7\n" and r.stdout_len == 2 and len(r.stdout_sha) == 40


def variant_binary(tmp_path, variant):
    path = tmp_path / ("fake-%s" % variant)
    path.write_text("#!/bin/sh\nFAKE_VARIANT=%s exec %s %s \"$@\"\n"
                    % (variant, sys.executable, FAKE))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_compare_finds_stdout_and_status_mismatches(tmp_path):
    scratch = tmp_path / "s"
    scratch.mkdir()
    same = [("a", FAKE), ("b", FAKE)]
    differ = [("a", FAKE), ("b", variant_binary(tmp_path, "X"))]
    case = Case("t/1/0", {"x.image": b"\x00\x00\x00\x01"},
                ["x.image", "-e", "3 + 4"])
    assert campaign.run_case(case, same, str(scratch), 10, None)[
        "mismatch"] is None
    rec = campaign.run_case(case, differ, str(scratch), 10, None)
    assert rec["mismatch"] == "stdout"
    results = {"a": {"class": "ran", "run": {"stdout_sha": "1", "status": 0}},
               "b": {"class": "clean_error",
                     "run": {"stdout_sha": "1", "status": 1}}}
    assert campaign.compare(results) == "status"
    results["b"]["class"] = "crash"
    assert campaign.compare(results) is None


def test_campaign_and_report(tmp_path, monkeypatch):
    """A short campaign over the fake VM: deterministic ids, JSON lines,
    and a report that counts them."""
    from tools.fuzz import cases
    image = os.path.join(os.path.dirname(__file__), "..", "..", "..",
                         "images", "spy.image")
    if not os.path.exists(image):
        pytest.skip("images/spy.image not built (make image)")
    monkeypatch.setattr(cases, "WORKLOADS", ["3 + 4", "error", "crash"])
    bases = BaseImages({"own": image})
    out = str(tmp_path / "r.jsonl")
    recs = campaign.campaign(["image-raw.own", "image-struct.own"], 5, bases,
                             [("a", FAKE), ("b", FAKE)], out,
                             counts={"image-raw.own": 4,
                                     "image-struct.own": 4},
                             log=open(os.devnull, "w"))
    assert len(recs) == 8
    ids = [json.loads(l)["id"] for l in open(out)]
    assert sorted(ids) == sorted("%s/5/%d" % (f, n) for n in range(4)
                                 for f in ("image-raw.own",
                                           "image-struct.own"))
    text = report.markdown(report.load([out]))
    assert "| image-struct.own | a | 4 |" in text
    # the same cases in parallel: the same records, in the same order
    out2 = str(tmp_path / "r2.jsonl")
    recs2 = campaign.campaign(["image-raw.own", "image-struct.own"], 5,
                              bases, [("a", FAKE), ("b", FAKE)], out2,
                              counts={"image-raw.own": 4,
                                      "image-struct.own": 4},
                              log=open(os.devnull, "w"), jobs=2)
    assert [r["id"] for r in recs2] == [r["id"] for r in recs]
    assert [r["results"]["a"]["class"] for r in recs2] == \
        [r["results"]["a"]["class"] for r in recs]
    crashed = [r for r in recs if r["results"]["a"]["class"] == "crash"]
    for r in crashed:
        assert r["id"] in text or len(crashed) > report.EXAMPLES


def test_triage_groups_by_what_each_binary_did():
    from tools.fuzz.triage import triage_text

    def rec(i, a, b, note="n"):
        run = {"maxrss_kb": 1024, "seconds": 0.1}
        return {"id": "f/1/%d" % i, "note": note, "mismatch": None,
                "results": {"spy": {"class": a[0], "cause": a[1], "run": run},
                            "nojit": {"class": b[0], "cause": b[1],
                                      "run": run}}}
    recs = [rec(0, ("crash", "exit 3"), ("crash", "exit 3")),
            rec(1, ("ran", ""), ("ran", "")),
            rec(2, ("crash", "exit 3"), ("crash", "exit 3")),
            rec(3, ("hang", "t"), ("clean_error", ""))]
    text = triage_text(recs)
    assert text.startswith("== 2 case(s)")
    assert "f/1/1" not in text and "f/1/3" in text


def test_snapshot_copies_by_content(tmp_path):
    from tools.fuzz.__main__ import snapshot
    (tmp_path / "vm").write_bytes(b"#!/bin/sh\n")
    copies = snapshot([("spy", str(tmp_path / "vm"))], str(tmp_path / "out"))
    (name, path), = copies
    assert name == "spy" and os.path.isabs(path)
    assert open(path, "rb").read() == b"#!/bin/sh\n"
    assert snapshot([("spy", str(tmp_path / "vm"))],
                    str(tmp_path / "out")) == copies
