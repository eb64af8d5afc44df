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
