"""Shared fixtures: the real image (SMALLWORLD_IMAGE), the native binaries,
and a way to run the command line in-process or as a subprocess."""

import os
import signal
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ST_DIR = os.path.join(ROOT, "tests", "fixtures")
BINARIES = ["spy", "spy-nojit"]


# no test may run longer than this (seconds): on a slow or stuck machine a
# test fails with its name instead of the whole run being cut off unnamed
TEST_TIME_LIMIT = int(os.environ.get("SPY_TEST_TIME_LIMIT", "900"))


class TestTimeLimit(Exception):
    """A test ran past TEST_TIME_LIMIT."""


def kill_children():
    """Kill this process's child processes (a binary a test started)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            # the parent pid is the 2nd field after the parenthesised name
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                os.kill(int(pid), signal.SIGKILL)
        except (IOError, OSError, ValueError, IndexError):
            pass


@pytest.fixture(autouse=True)
def time_limit(request):
    def expire(signum, frame):
        kill_children()
        raise TestTimeLimit("%s ran longer than %d s (SPY_TEST_TIME_LIMIT)"
                            % (request.node.nodeid, TEST_TIME_LIMIT))
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def st_file(name):
    return os.path.join(ST_DIR, name)


@pytest.fixture
def real_image():
    path = os.environ.get("SMALLWORLD_IMAGE")
    if not path:
        pytest.skip("SMALLWORLD_IMAGE is not set")
    return path


@pytest.fixture(params=["own", "real"])
def either_image(request):
    """spy's own image (always, so CI runs the test) and the real image
    (when SMALLWORLD_IMAGE is set)."""
    if request.param == "real":
        return request.getfixturevalue("real_image")
    return request.getfixturevalue("own_image")


class Result(object):
    def __init__(self, status, out, err):
        self.status = status
        self.out = out
        self.err = err

    def __repr__(self):
        return "<exit %s\nstdout:\n%s\nstderr:\n%s>" % (self.status,
                                                        self.out, self.err)


@pytest.fixture
def run_untranslated(capfd):
    """Run spy's main() in this process; answer a Result."""
    from spyvm.main import main
    def run(*args):
        capfd.readouterr()
        status = main(["spy"] + list(args))
        out, err = capfd.readouterr()
        return Result(status, out, err)
    return run


def binary_path(name):
    return os.path.join(ROOT, name)


@pytest.fixture(params=BINARIES)
def run_binary(request):
    """Run a translated binary; skipped when it has not been built."""
    path = binary_path(request.param)
    if not os.path.exists(path):
        pytest.skip("%s has not been built (make)" % request.param)
    def run(*args, **kwargs):
        command = list(args)
        if not kwargs.get("via_shell"):
            command = [path] + command
        proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE, cwd=ROOT,
                                env=kwargs.get("env"))
        out, err = proc.communicate(kwargs.get("stdin", b""))
        return Result(proc.returncode, out.decode("latin-1"),
                      err.decode("latin-1"))
    run.name = request.param
    run.path = path
    return run


@pytest.fixture(scope="session")
def own_image(tmpdir_factory):
    """spy's default image, built from images/source into a temp dir."""
    path = str(tmpdir_factory.mktemp("image").join("spy.image"))
    subprocess.check_call([sys.executable, "-m", "spyvm.bootstrap", path],
                          cwd=ROOT)
    return path
