"""Running VM processes for the harness: wall time, max RSS, timeouts, Xvfb.

A process is waited for with os.wait4, so its rusage (CPU time of the
process and of the children it waited for: the VM under a wrapper) is the
VM's own, not the harness's.  Its max RSS comes from bench/maxrss.c when
that can be built: Linux keeps the peak RSS across exec, so a process
forked from the harness reports at least the harness's size.  Racket's VMs are GUI programs: `Xvfb` gives them a
private display for the whole run and is stopped (with its lock files) at
the end.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
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


def _drain(stream, sink):
    sink.append(stream.read())


def _drain_lines(stream, sink, stamps, t0):
    """Read stdout a line at a time, noting when each line came."""
    for line in iter(stream.readline, b''):
        stamps.append((time.perf_counter() - t0, line))
    sink.append(b''.join(line for _, line in stamps))


def build_rss_helper(tmpdir):
    """bench/maxrss.c built with $CC (default cc) into tmpdir, or None when
    it cannot be built (then a VM's max RSS is at least the harness's own:
    Linux keeps a process's peak RSS across exec)."""
    exe = os.path.join(tmpdir, 'maxrss')
    try:
        proc = subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-o', exe, RSS_SOURCE],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError:
        return None
    return exe if proc.returncode == 0 else None


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
    out, err, stamps = [], [], []
    readers = [threading.Thread(target=_drain_lines, args=(proc.stdout, out, stamps, t0)),
               threading.Thread(target=_drain, args=(proc.stderr, err))]
    for t in readers:
        t.start()
    timed_out = []

    def signal_group(sig):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def kill():
        # SIGTERM first: wrappers (refvm.py) remove their temporary files
        timed_out.append(True)
        signal_group(signal.SIGTERM)
        later = threading.Timer(3.0, signal_group, (signal.SIGKILL,))
        later.daemon = True
        later.start()
    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        # Ctrl-C stops the VM too (it runs in a session of its own)
        signal_group(signal.SIGKILL)
        raise
    seconds = time.perf_counter() - t0
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # a wrapper's leftovers (e.g. a killed VM's helpers) must not outlive it
    signal_group(signal.SIGKILL)
    for t in readers:
        t.join()
    proc.stdout.close()
    proc.stderr.close()
    maxrss_kb = usage.ru_maxrss
    if rss_file:
        with open(rss_file) as f:
            measured = f.read().strip()
        os.remove(rss_file)
        if measured.isdigit():          # not when the helper was killed
            maxrss_kb = int(measured)
    text_out = (out[0] if out else b'').decode('utf-8', 'replace')
    text_err = (err[0] if err else b'').decode('utf-8', 'replace')
    if log_path:
        with open(log_path, 'w') as f:
            f.write('$ %s\n# rc=%s seconds=%.3f timed_out=%s maxrss_kb=%d\n'
                    % (cmd, proc.returncode, seconds, bool(timed_out), maxrss_kb))
            f.write('---- stdout ----\n' + text_out)
            f.write('\n---- stderr ----\n' + text_err)
    return Result(proc.returncode, text_out + '\n' + text_err, seconds,
                  bool(timed_out), maxrss_kb, usage.ru_utime + usage.ru_stime,
                  [(t, line.decode('utf-8', 'replace')) for t, line in stamps])


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
