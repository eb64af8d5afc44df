"""One run of a VM under a wall-clock and an address-space limit, and its
classification.

The child is waited for with os.wait4 so its own peak RSS is known (spy
re-executes itself for a bigger stack, but keeps its pid, so the figure
covers both images of the process).  Output goes to files, so a VM that
prints without end cannot fill our memory; RLIMIT_FSIZE bounds them.
"""

import hashlib
import os
import re
import resource
import signal
import subprocess
import select
import time

GB = 1024 ** 3
DEFAULT_TIMEOUT = 30.0
DEFAULT_AS_LIMIT = 3 * GB
RSS_LIMIT = 2 * GB
OUTPUT_LIMIT = 256 * 1024 * 1024
KEEP = 4000            # characters of stdout/stderr kept in a result
TIME_LIMIT_TEXT = "(--max-time): the run ends here"


def vm_time_limit(timeout):
    """The --max-time each VM gets: well inside the harness's own limit,
    so a program that loops for ever ends with the VM's backtrace."""
    return max(1, int(timeout * 2 / 3))

CLASSES = ("ran", "clean_error", "silent_error", "time_limit", "crash",
           "hang", "over_memory")
FAILURES = ("crash", "hang", "over_memory")
# telling text in a crashed run's output, most specific first
CRASH_PATTERNS = [re.compile(p) for p in (
    r"internal error", r"out of memory: couldn't allocate",
    r"Fatal RPython error: \w+", r"Traceback \(most recent",
    r"RPython traceback", r"Segmentation fault", r"AssertionError")]


def crash_text(text):
    for pattern in CRASH_PATTERNS:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None


class RunResult(object):
    """What one run did."""
    FIELDS = ("status", "signal", "timed_out", "maxrss_kb", "seconds",
              "stdout", "stderr", "stdout_sha", "stdout_len", "stderr_len")

    def __init__(self, **kw):
        for name in self.FIELDS:
            setattr(self, name, kw.get(name))

    def as_dict(self):
        return dict((name, getattr(self, name)) for name in self.FIELDS)

    @classmethod
    def from_dict(cls, d):
        return cls(**d)


def _limits(as_limit):
    def preexec():
        os.setsid()
        if as_limit:
            resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    return preexec


def _read_head(path):
    """The first KEEP characters, and the last KEEP if there is more: a
    run's verdict (a time limit, a final error) is often its last line."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(KEEP)
        if size > 2 * KEEP:
            f.seek(size - KEEP)
            head += b"\n[...]\n" + f.read(KEEP)
        elif size > KEEP:
            head += f.read()
    return head.decode("latin-1")


def _sha_and_len(path):
    h = hashlib.sha1()
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            h.update(block)
            n += len(block)
    return h.hexdigest(), n


def _wait_exit(pid, timeout):
    """True if process pid became waitable within timeout seconds (it is
    not reaped here).  A pidfd needs no thread and no polling; threads
    would make preexec_fn unsafe."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return _poll_exit(pid, timeout)
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)
    finally:
        os.close(fd)


def _poll_exit(pid, timeout):
    deadline = time.monotonic() + timeout
    delay = 0.001
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
            return True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return False


def run(argv, cwd, stdin=b"", timeout=DEFAULT_TIMEOUT,
        as_limit=DEFAULT_AS_LIMIT, env=None):
    """Run argv in cwd; answer a RunResult."""
    out_path = os.path.join(cwd, ".stdout")
    err_path = os.path.join(cwd, ".stderr")
    in_path = os.path.join(cwd, ".stdin")
    with open(in_path, "wb") as f:
        f.write(stdin)
    with open(in_path, "rb") as fin, open(out_path, "wb") as fout, \
            open(err_path, "wb") as ferr:
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=fin, stdout=fout,
                                stderr=ferr, preexec_fn=_limits(as_limit),
                                env=env)
    timed_out = not _wait_exit(proc.pid, timeout)
    try:        # the VM on timeout, or children it left behind; the group
        os.killpg(proc.pid, signal.SIGKILL)    # lives while pid is unreaped
    except OSError:
        pass
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    seconds = time.monotonic() - start
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    proc.returncode = code if sig is None else -sig   # reaped here
    sha, out_len = _sha_and_len(out_path)
    return RunResult(status=code, signal=sig, timed_out=timed_out,
                     maxrss_kb=usage.ru_maxrss, seconds=round(seconds, 3),
                     stdout=_read_head(out_path), stderr=_read_head(err_path),
                     stdout_sha=sha, stdout_len=out_len,
                     stderr_len=os.path.getsize(err_path))


def classify(r, rss_limit=RSS_LIMIT):
    """One of CLASSES, and a short cause for grouping failures."""
    if r.timed_out:
        return "hang", "no exit within the time limit"
    if r.maxrss_kb * 1024 > rss_limit:
        return "over_memory", "RSS over %d MB, then %s" % (
            rss_limit >> 20, _ending(r))
    if r.signal is not None:
        if r.signal == signal.SIGXFSZ:
            return "hang", "output past %d MB" % (OUTPUT_LIMIT >> 20)
        return "crash", "signal %s%s" % (signal.Signals(r.signal).name,
                                         _crash_hint(r))
    found = crash_text(r.stdout + r.stderr)
    if r.status >= 3:
        return "crash", "exit %d%s" % (r.status, _crash_hint(r))
    if found:
        return "crash", "exit %d with %r" % (r.status, found)
    if r.status == 0:
        return "ran", ""
    if r.status == 1 and TIME_LIMIT_TEXT in r.stderr:
        # the VM's own --max-time: a clean error with a backtrace, but the
        # program did not finish, so there is no output to compare
        return "time_limit", "--max-time reached"
    if r.stderr.strip():
        return "clean_error", ""
    return "silent_error", "exit %d without a message" % r.status


def _ending(r):
    if r.signal is not None:
        return "signal %s%s" % (signal.Signals(r.signal).name, _crash_hint(r))
    return "exit %s%s" % (r.status, _crash_hint(r))


def _crash_hint(r):
    found = crash_text(r.stderr + r.stdout)
    if found:
        return ": " + found
    line = r.stderr.strip().splitlines()[-1:] if r.stderr.strip() else []
    return (": " + _normalise(line[0])[:80]) if line else ""


def _normalise(text):
    """Numbers out, so that causes group."""
    return re.sub(r"\d+", "N", text)


def completed(cls):
    return cls in ("ran", "clean_error", "silent_error")
