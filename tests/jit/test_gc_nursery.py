"""The translated binaries choose their GC nursery (spyvm/gcdefaults.py)
and a user's PYPY_GC_NURSERY overrides it; PYPYLOG shows what the GC did."""

import os
import re
import subprocess

import pytest

from spyvm.gcdefaults import DEFAULT_NURSERY
from tests.conftest import BINARIES, binary_path, ROOT


def nursery_size(name, own_image, tmpdir, setting):
    path = binary_path(name)
    if not os.path.exists(path):
        pytest.skip("%s has not been built (make)" % name)
    log = str(tmpdir.join("gc.log"))
    env = dict(os.environ)
    env["PYPYLOG"] = "gc-set-nursery-size:" + log
    env.pop("PYPY_GC_NURSERY", None)
    if setting is not None:
        env["PYPY_GC_NURSERY"] = setting
    proc = subprocess.Popen([path, own_image, "-e", "3 + 4"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate()
    assert proc.returncode == 0 and b"7" in out, (out, err)
    with open(log) as f:
        sizes = re.findall(r"nursery size: (\d+)", f.read())
    # the GC starts with a tiny nursery, then sets the real one
    assert sizes, "PYPYLOG shows no nursery size"
    return int(sizes[-1])


@pytest.mark.parametrize("name", BINARIES)
def test_default_nursery_is_in_effect(name, own_image, tmpdir):
    assert nursery_size(name, own_image, tmpdir, None) == DEFAULT_NURSERY


@pytest.mark.parametrize("name", BINARIES)
def test_pypy_gc_nursery_overrides_the_default(name, own_image, tmpdir):
    assert nursery_size(name, own_image, tmpdir, "8MB") == 8 * 1024 * 1024
