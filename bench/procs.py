"""Running VM processes for the harness: wall time, max RSS, timeouts, Xvfb.

A process is waited for with os.wait4, so its rusage (CPU time of the
process and of the children it waited for: the VM under a wrapper) is the
VM's own, not the harness's.  Its max RSS comes from bench/maxrss.c when
that can be built: Linux keeps the peak RSS across exec, so a process
forked from the harness reports at least the harness's size.  Its stdout
is read line by line as it comes, each line with its time (bench/clock.py).
Racket's VMs are GUI programs: `Xvfb` gives them a private display for the
whole run and is stopped (with its lock files) at the end.
"""
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time

RSS_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'maxrss.c')


class Result:
    """What one process did: status code, output text, seconds, max RSS, and
    `stamps`: each line of stdout with the time it arrived (seconds since
    the start), the harness's own clock for a VM that writes its lines as
    it goes."""

    def __init__(self, rc, text, seconds, timed_out, maxrss_kb, cpu_s=None, stamps=()):
        self.rc = rc
        self.stamps = stamps
        self.cpu_s = cpu_s              # user + system CPU seconds (VM and children)
        self.text = text
        self.seconds = seconds
        self.timed_out = timed_out
        self.maxrss_kb = maxrss_kb


class _Output:
    """What a process writes: stdout as lines, each with the time it came
    (seconds since t0), and stderr as it is."""

    def __init__(self, t0):
        self.t0 = t0
        self.stamps = []
        self.partial = b''
        self.err = []

    def stdout(self, data):
        now = time.perf_counter() - self.t0
        lines = (self.partial + data).split(b'\n')
        self.partial = lines.pop()
        self.stamps.extend((now, line + b'\n') for line in lines)

    def stderr(self, data):
        self.err.append(data)

    def texts(self):
        if self.partial:
            self.stamps.append((time.perf_counter() - self.t0, self.partial))
            self.partial = b''
        return (b''.join(line for _, line in self.stamps).decode('utf-8', 'replace'),
                b''.join(self.err).decode('utf-8', 'replace'))


def _exit_fd(pid):
    """A descriptor that becomes readable when `pid` exits (Linux pidfd),
    or None: then the loop polls."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def compile_c(source, exe):
    """Build one C file with $CC (default cc) -O2.  Answers None, or the
    compiler's output when it failed; OSError when there is no compiler."""
    proc = subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-o', exe, source],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return None if proc.returncode == 0 else proc.stdout


def build_rss_helper(tmpdir):
    """bench/maxrss.c built into tmpdir, or None when it cannot be built
    (then a VM's max RSS is at least the harness's own: Linux keeps a
    process's peak RSS across exec)."""
    exe = os.path.join(tmpdir, 'maxrss')
    try:
        return exe if compile_c(RSS_SOURCE, exe) is None else None
    except OSError:
        return None


def run_process(cmd, timeout, log_path=None, env=None, rss_helper=None):
    """Run a shell command to completion (killing its process group after
    `timeout` seconds); never raises for a failing command.  With
    `rss_helper` (build_rss_helper), the max RSS is the command's own."""
    t0 = time.perf_counter()
    rss_file = None
    if rss_helper:
        fd, rss_file = tempfile.mkstemp(prefix='maxrss-', dir=(env or os.environ).get('TMPDIR'))
        os.close(fd)
        args = dict(args=[rss_helper, rss_file, cmd], shell=False)
    else:
        args = dict(args=cmd, shell=True)
    proc = subprocess.Popen(stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=env, **args)

    def signal_group(sig):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        status, usage, seconds, timed_out, output = _follow(proc, t0, timeout, signal_group)
    except KeyboardInterrupt:
        # Ctrl-C stops the VM too (it runs in a session of its own)
        signal_group(signal.SIGKILL)
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    maxrss_kb = usage.ru_maxrss
    if rss_file:
        with open(rss_file) as f:
            measured = f.read().strip()
        os.remove(rss_file)
        if measured.isdigit():          # not when the helper was killed
            maxrss_kb = int(measured)
    text_out, text_err = output.texts()
    if log_path:
        with open(log_path, 'w') as f:
            f.write('$ %s\n# rc=%s seconds=%.3f timed_out=%s maxrss_kb=%d\n'
                    % (cmd, proc.returncode, seconds, bool(timed_out), maxrss_kb))
            f.write('---- stdout ----\n' + text_out)
            f.write('\n---- stderr ----\n' + text_err)
    return Result(proc.returncode, text_out + '\n' + text_err, seconds,
                  bool(timed_out), maxrss_kb, usage.ru_utime + usage.ru_stime,
                  [(t, line.decode('utf-8', 'replace')) for t, line in output.stamps])


def _follow(proc, t0, timeout, signal_group):
    """Read the process's output as it comes (in this thread: a line's
    time is not held up by another thread's turn at the GIL) until it has
    exited and its pipes are closed.  SIGTERM after `timeout` seconds,
    SIGKILL 3 s later; once it exits, its group is killed (a wrapper's
    leftovers must not outlive it) and the pipes get 5 s to close."""
    output = _Output(t0)
    sel = selectors.DefaultSelector()
    pipes = {proc.stdout.fileno(): output.stdout, proc.stderr.fileno(): output.stderr}
    for fd, sink in pipes.items():
        sel.register(fd, selectors.EVENT_READ, sink)
    exit_fd = _exit_fd(proc.pid)
    if exit_fd is not None:
        sel.register(exit_fd, selectors.EVENT_READ, None)
    status = usage = seconds = None
    timed_out, kill_at, give_up = False, None, None
    try:
        while True:
            now = time.perf_counter()
            if status is None:
                pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    status, usage, seconds = st, ru, now - t0
                    signal_group(signal.SIGKILL)
                    give_up = now + 5.0
                    if exit_fd is not None:
                        sel.unregister(exit_fd)
            if status is not None and (not pipes or now >= give_up):
                break
            if status is None and not timed_out and now - t0 >= timeout:
                # SIGTERM first: wrappers (refvm.py) remove their temporary files
                timed_out, kill_at = True, now + 3.0
                signal_group(signal.SIGTERM)
            elif status is None and kill_at is not None and now >= kill_at:
                signal_group(signal.SIGKILL)
                kill_at = now + 1.0
            if status is not None:
                wait = give_up - now
            elif timed_out:
                wait = max(0.0, kill_at - now)
            else:
                wait = max(0.0, t0 + timeout - now)
            if exit_fd is None and status is None:
                wait = min(wait, 0.01)          # no pidfd: poll for the exit
            for key, _ in sel.select(wait):
                if key.data is None:            # the pidfd: reaped above, next turn
                    continue
                data = os.read(key.fd, 65536)
                if data:
                    key.data(data)
                else:
                    sel.unregister(key.fd)
                    del pipes[key.fd]
    finally:
        sel.close()
        if exit_fd is not None:
            os.close(exit_fd)
    return status, usage, seconds, timed_out, output


class Xvfb:
    """A private X display (`with Xvfb() as display:`); DISPLAY for the VMs."""

    def __init__(self):
        self.proc = None
        self.display = None

    def __enter__(self):
        if shutil.which('Xvfb') is None:
            raise RuntimeError('Xvfb is not installed (apt-get install xvfb)')
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ['Xvfb', '-displayfd', str(w), '-nolisten', 'tcp', '-screen', '0', '1024x768x24'],
            pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number.isdigit():
            self.__exit__(None, None, None)
            raise RuntimeError('Xvfb did not start')
        self.display = ':' + number
        return self.display

    def __exit__(self, *exc):
        if self.proc is None:
            return False
        if self.proc.poll() is None:
            self.proc.terminate()      # Xvfb removes its lock file and socket
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.display:
            n = self.display[1:]
            for path in ('/tmp/.X%s-lock' % n, '/tmp/.X11-unix/X%s' % n):
                if os.path.exists(path) and self.proc.returncode not in (0, None):
                    try:
                        os.remove(path)
                    except OSError:
                        pass
        self.proc = None
        return False
