"""The Python 3 tools (bench/harness.py and friends, tools/profile_report.py)
have their own unittest suite in bench/tests; run it from the main suite with
the harness's Python 3 (.venv3 when made, else python3).  It uses a fake VM
script only: nothing here runs a real or reference VM."""

import os
import subprocess

from tests.conftest import ROOT


def python3():
    venv = os.path.join(ROOT, ".venv3", "bin", "python")
    return venv if os.path.exists(venv) else "python3"


def test_bench_tools_unittests():
    proc = subprocess.Popen([python3(), "-m", "unittest", "discover", "-s",
                             os.path.join(ROOT, "bench", "tests")],
                            cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.communicate()[0].decode("utf-8", "replace")
    assert proc.returncode == 0, out
    assert "\nOK" in out, out


def sweep_source(family, n, sends, rounds):
    """bench/polysweep.py's file-in for one point (it is Python 3)."""
    code = ("import sys; sys.path.insert(0, 'bench'); import polysweep; "
            "sys.stdout.write(polysweep.sweep_source(%d, %d, %d, '%s'))"
            % (n, sends, rounds, family))
    proc = subprocess.Popen([python3(), "-c", code], cwd=ROOT,
                            stdout=subprocess.PIPE)
    out = proc.communicate()[0]
    assert proc.returncode == 0
    return out


def test_every_sweep_family_runs(run_untranslated, own_image, tmp_path):
    for family in ("one", "send", "arith", "skewed", "skewed-send",
                   "visitor"):
        path = str(tmp_path / ("%s.st" % family))
        with open(path, "wb") as f:
            f.write(sweep_source(family, 8, 64, 2))
        r = run_untranslated(own_image, path)
        assert r.status == 0, (family, r)
        rounds = [line.split() for line in r.out.splitlines()
                  if line.startswith("SWEEP ")]
        assert [words[:4] for words in rounds] == \
            [["SWEEP", family, "8", "1"], ["SWEEP", family, "8", "2"]], r
