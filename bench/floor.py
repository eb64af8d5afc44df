"""The noise floor of bench/harness.py --noise-floor: how much a fixed
native workload's iteration times spread on this machine, measured
between the VM's own processes at the length of its iterations.

A VM's steady-state spread (+-% of the report) mixes what the VM does
(late compiles, collections) with what the machine does (other tenants,
frequency changes, the millisecond clock).  bench/noisefloor.c has no JIT,
no GC and the same work every iteration, so its spread is the machine's
share: a VM's spread near it says nothing about the VM.
"""
import os
import statistics

from clock import choose_times
from procs import compile_c, run_process
from report import steady

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, 'noisefloor.c')
KINDS = ('memory', 'alu')


class FloorError(Exception):
    pass


def compile_floor(tmpdir):
    """Build bench/noisefloor.c with $CC (default cc); answer the program."""
    exe = os.path.join(tmpdir, 'noisefloor')
    cc = os.environ.get('CC', 'cc')
    try:
        failure = compile_c(SOURCE, exe)
    except OSError as e:
        raise FloorError('--noise-floor needs a C compiler (%s: %s)' % (cc, e))
    if failure is not None:
        raise FloorError('--noise-floor: %s could not build %s:\n%s'
                         % (cc, SOURCE, failure[-2000:]))
    return exe


def target_ms(run, fraction):
    """The length the floor imitates: the median of the steady iterations
    of one of the VM's processes (None if it has none of at least 1 ms)."""
    if run.get('status') != 'ok' or not run.get('times'):
        return None
    ms = statistics.median(steady(run['times'], fraction))
    return ms if ms >= 1 else None


def floor_process(exe, bench, ms, iterations, kind, process, timeout, log_path, parse_output,
                  clock='vm'):
    """One process of the floor: a run record like the VMs' (results.json),
    timed by the same clock as theirs."""
    cmd = '%s %s %d %d %s' % (exe, bench, int(round(ms)), iterations, kind)
    res = run_process(cmd, timeout, log_path)
    vm_times, ok, _fails, _tiny, _started = parse_output(res.text, bench)
    times, used, _lines = choose_times(clock, vm_times, res.stamps, bench)
    run = {'process': process, 'times': times, 'target_ms': round(ms, 1),
           'wall_s': round(res.seconds, 3), 'rc': res.rc, 'clock': used}
    if ok and len(times) == iterations and not res.timed_out:
        run['status'] = 'ok'
    else:
        run['status'] = 'failed'
        run['error'] = 'rc=%s: %s' % (res.rc, res.text[-300:].strip())
    return run

