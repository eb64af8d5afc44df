#!/usr/bin/env python3
"""Benchmark harness for spy and other SmallWorld 2015 VMs.

Runs the benchmark files of this directory (runner protocol: see README.md)
on one or more VMs, several iterations per process and several processes,
and writes text tables, a JSON file and (with matplotlib) PNG charts of the
speed-ups and warm-up curves.  Sizes can be calibrated (--calibrate MS),
benchmarks run after the rest of the suite (--history), tinyBenchmarks
under four histories (--tiny-histories), and the reference VMs of
bench/refvms join the run (--refvms DIR).

Example:
  python3 bench/harness.py --image PATH/TO/image \\
      --vm spy='./spy {image} {files}' --vm nojit='./spy-nojit {image} {files}' \\
      --baseline nojit --calibrate 50 --history spy --out bench/results

A VM is NAME=TEMPLATE; TEMPLATE is a shell command in which {image} is
replaced by the image path and {files} by the .st files to file in, in order
(runner.st, the benchmark, a generated driver, a quit file).  The VM must
file them in after `SmallWorld startUp` and print the Transcript on stdout
(or stderr).  Use bench/refvm.py to run the Racket / C++ reference VMs.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import build_rss_helper, run_process, Xvfb  # noqa: E402
from report import steady, summarize, full_report, fmt_ms, TINY_HISTORIES  # noqa: E402
from charts import write_charts  # noqa: E402
import floor  # noqa: E402
from clock import BENCH_RE, START_RE, CLOCKS, choose_times, clock_line  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (file, class, note)
BENCHMARKS = {
    'richards':       ('richards.st', 'BenchRichards', 'OS task scheduler simulation'),
    'deltablue':      ('deltablue.st', 'BenchDeltaBlue', 'incremental constraint solver'),
    'bounce':         ('bounce.st', 'BenchBounce', 'balls bouncing in a box'),
    'list':           ('list.st', 'BenchList', 'recursive linked-list tail function'),
    'permute':        ('permute.st', 'BenchPermute', 'permutations by swapping'),
    'queens':         ('queens.st', 'BenchQueens', '8 queens'),
    'sieve':          ('sieve.st', 'BenchSieve', 'sieve of Eratosthenes'),
    'storage':        ('storage.st', 'BenchStorage', 'tree of arrays, allocation'),
    'towers':         ('towers.st', 'BenchTowers', 'towers of Hanoi'),
    'mandelbrot':     ('mandelbrot.st', 'BenchMandelbrot', 'Mandelbrot, fixed-point integers'),
    'nbody':          ('nbody.st', 'BenchNBody', 'n-body simulation, needs Float'),
    'polymorphic':    ('polymorphic.st', 'BenchPolymorphic', 'megamorphic send sites (20 classes)'),
    'tinyBenchmarks': ('tinybenchmarks.st', 'BenchTiny', "the image's 0 tinyBenchmarks"),
}
ALIASES = {'tiny': 'tinyBenchmarks', 'tinybenchmarks': 'tinyBenchmarks'}
TINY = 'tinyBenchmarks'

# Lines may be prefixed by the VM (e.g. a log tag), so only require that the
# keyword is not glued to a preceding word.
OK_RE = re.compile(r'(?<![\w-])BENCH-OK (\S+)(?!\S)')
FAIL_RE = re.compile(r'(?<![\w-])BENCH-FAIL (\S+) (.*)')
# spy --jit-events: the JIT compiled or gave up a trace; the last field is
# the JIT's total time so far in ms
JIT_EVENT_RE = re.compile(r'(?<![\w-])JIT-EVENT (?:compile loop|compile bridge|abort) '
                          r'\d+ (\d+(?:\.\d+)?)(?!\S)')
# PYPYLOG=gc-collect-step: one step of RPython's incremental major collection
GC_STEP_RE = re.compile(r'\{gc-collect-step\b')
# PYPYLOG's own lines (section brackets and what they print inside)
PYPYLOG_RE = re.compile(r'^\[[0-9a-f]+\] [{]?[\w-]+[}]?$|gc state:')
TINY_RE = re.compile(r'(\d+) bytecodes/sec; (\d+) sends/sec')
TINY_LINE_RE = re.compile(r'(?<![\w-])TINY (\d+) (\d+) bytecodes/sec; (\d+) sends/sec')


# ---------------------------------------------------------------------------
# running

def parse_output(text, bench):
    """Extract iteration times, status and tinyBenchmarks figures."""
    times = {}
    for m in BENCH_RE.finditer(text):
        if m.group(1) == bench:
            times[int(m.group(2))] = int(m.group(3))
    ok = any(m.group(1) == bench for m in OK_RE.finditer(text))
    fails = sorted(set(m.group(2).strip() for m in FAIL_RE.finditer(text)
                       if m.group(1) == bench))
    # A VM that prints the whole Transcript at every update repeats lines:
    # key the runner's TINY lines by run number.  Without them (run.cc's
    # fixed task) take every bytecodes/sec line.
    tiny_runs = {}
    for m in TINY_LINE_RE.finditer(text):
        tiny_runs[int(m.group(1))] = [int(m.group(2)), int(m.group(3))]
    if tiny_runs:
        tiny = [tiny_runs[k] for k in sorted(tiny_runs)]
    else:
        tiny = [[int(a), int(b)] for a, b in TINY_RE.findall(text)]
    started = any(m.group(1) == bench for m in START_RE.finditer(text))
    return [times[k] for k in sorted(times)], ok, fails, tiny, started


def parse_marks(text, bench, gc_logged=False):
    """What the JIT and the GC did in each iteration of `bench`, in order
    (after the previous BENCH line or BENCH-START): `(jit, gc)`, `jit` a
    list of [events, JIT ms] from spy's --jit-events, `gc` a list of the
    steps of RPython's incremental major collection that
    PYPYLOG=gc-collect-step:- logged (stderr joined to stdout).  Either is
    None when the output has none of its lines; `gc_logged` (the VM's
    command asks for the log) makes a run without a major collection all
    zeros instead."""
    jit, gc = [], []
    events, steps, jit_ms, at_start, started = 0, 0, 0.0, 0.0, False
    for line in text.splitlines():
        m = JIT_EVENT_RE.search(line)
        if m:
            events += 1
            jit_ms = float(m.group(1))
            continue
        if GC_STEP_RE.search(line):
            steps += 1
            continue
        m = START_RE.search(line)
        if m and m.group(1) == bench:
            events, steps, at_start, started = 0, 0, jit_ms, True
            continue
        m = BENCH_RE.search(line)
        if m and m.group(1) == bench and started:
            jit.append([events, round(jit_ms - at_start, 1)])
            gc.append(steps)
            events, steps, at_start = 0, 0, jit_ms
    return (jit if 'JIT-EVENT' in text else None,
            gc if gc_logged or '{gc-collect-step' in text else None)


def error_excerpt(text, limit=400):
    """A short hint of what went wrong, from the VM's output."""
    lines = [l for l in text.splitlines()
             if l.strip() and not JIT_EVENT_RE.search(l) and not PYPYLOG_RE.search(l)]
    keys = ('does not understand', 'error', 'Error', 'failed', 'BENCH-FAIL',
            'not found', 'Traceback', 'illegal', 'violation', 'no value found',
            'expected:', 'No such file', 'not recognized', 'Segmentation')
    hits = [l for l in lines if any(k in l for k in keys)]
    s = ' | '.join(hits[:3]) if hits else ' | '.join(lines[-3:])
    return s[:limit]


def bench_path(bench):
    return os.path.join(HERE, BENCHMARKS[bench][0])


def quit_file(tmpdir):
    path = os.path.join(tmpdir, 'quit.st')
    with open(path, 'w') as f:
        f.write('EVAL <117 nil>\n')
    return path


def driver_line(bench, iterations, size):
    return 'EVAL BenchRunner run: %s iterations: %d size: %d\n' % (
        BENCHMARKS[bench][1], iterations, size)


def write_driver(tmpdir, bench, iterations, size, history=None):
    """The files one process files in, in order.  With `history` (a list of
    (benchmark, size)), those benchmarks are filed in too and run once each
    before `bench`: JIT-history effects then show in its times."""
    history = history or []
    tag = '-hist' if history else ''
    driver = os.path.join(tmpdir, 'driver-%s%s.st' % (bench, tag))
    with open(driver, 'w') as f:
        for other, osize in history:
            f.write(driver_line(other, 1, osize))
        f.write(driver_line(bench, iterations, size))
        f.write('EVAL BenchRunner done\n')
    files = [os.path.join(HERE, 'runner.st')]
    files += [bench_path(o) for o, _ in history]
    return files + [bench_path(bench), driver, quit_file(tmpdir)]


def expand(template, image, files):
    return template.replace('{image}', shlex.quote(image)).replace(
        '{files}', ' '.join(shlex.quote(f) for f in files))


def bench_command(template, image, tmpdir, bench_dir, bench, iterations,
                  size):
    """The command of one process that runs `bench` alone (lottery.py,
    icount.py): runner.st and the benchmark reached through `bench_dir`,
    a driver and quit.st written into tmpdir."""
    driver = os.path.join(tmpdir, 'driver.st')
    with open(driver, 'w') as f:
        f.write(driver_line(bench, iterations, size))
    files = [os.path.join(bench_dir, 'runner.st'),
             os.path.join(bench_dir, BENCHMARKS[bench][0]), driver,
             quit_file(tmpdir)]
    return expand(template, image, files)


# ---------------------------------------------------------------------------

def parse_kv(items, what):
    d = {}
    for it in items or []:
        if '=' not in it:
            sys.exit('harness: %s must be NAME=VALUE, got %r' % (what, it))
        k, v = it.split('=', 1)
        d[k.strip()] = v
    return d


def bench_list(spec):
    if not spec or spec == 'all':
        return list(BENCHMARKS)
    out = []
    for b in spec.replace(',', ' ').split():
        b = ALIASES.get(b, b)
        if b not in BENCHMARKS:
            sys.exit('harness: unknown benchmark %r (known: %s)' % (b, ', '.join(BENCHMARKS)))
        out.append(b)
    return out


# ---------------------------------------------------------------------------
# VMs, calibration, histories

class VM:
    """A VM under test: its command template and how the harness runs it."""

    def __init__(self, name, template, benchmarks=None, excluded=(), display=False,
                 history=False, iterations=None, processes=None, reference=False):
        self.name = name
        self.template = template
        self.benchmarks = benchmarks      # None = all
        self.excluded = list(excluded)
        self.display = display            # needs an X display (Racket)
        self.history = history            # run each benchmark after the others
        self.iterations = iterations
        self.processes = processes
        self.reference = reference        # one of bench/refvms' VMs
        self.budget = None                # seconds for the whole suite

    def runs(self, bench):
        return (self.benchmarks is None or bench in self.benchmarks) and bench not in self.excluded

    def supports_files(self):
        """False for run.cc, which only runs its built-in tinyBenchmarks task."""
        return self.benchmarks != [TINY]


def load_refvms(directory):
    """VMs registered by bench/refvms/setup.py in DIR/refvms.json."""
    path = os.path.join(directory, 'refvms.json')
    try:
        with open(path) as f:
            reg = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit('harness: no reference VMs in %s (%s); run bench/refvms/setup.py CHECKOUT first'
                 % (directory, e))
    vms = []
    for name in ('cxx', 'racket', 'racket-jit', 'racket-pe'):
        spec = reg['vms'].get(name)
        if spec:
            vms.append(VM(name, spec['template'], benchmarks=spec.get('benchmarks'),
                          excluded=spec.get('excluded', []), display=spec.get('display', False),
                          reference=True))
    return reg, vms


# Calibration accepts a size whose steady iterations have a minimum >=
# MIN_MARGIN x the target and a median >= MEDIAN_LOW x target; per VM also a
# median <= HIGH x target (iterations ">= target but not much more"), unless
# the size is 1.  The margins leave room for the later processes, which ran
# up to 2 x faster than the first on a shared machine (bench/README.md).
MIN_MARGIN = 2.0
MEDIAN_LOW = 2.4
HIGH = 8.0
# a first guess or a shrunk size aims at this x the target
AIM = 4.0


def next_size(size, med, low, target_ms, high=None, max_factor=64):
    """One calibration step: None when `size` is accepted, else the next size
    to try (grown on the median, or shrunk towards AIM x target)."""
    if low >= MIN_MARGIN * target_ms and med >= MEDIAN_LOW * target_ms:
        if high is None or size <= 1 or med <= high * target_ms:
            return None
        return max(1, min(size - 1, int(size * AIM * target_ms / med)))
    # grow on the median (a noisy minimum would overshoot), gently when
    # only the minimum is short
    factor = AIM * target_ms / max(med, 0.5) if med < MEDIAN_LOW * target_ms else 1.15
    return int(math.ceil(size * min(max(factor, 1.15), max_factor)))


def calibrate(measure, size, target_ms, max_rounds=6, max_factor=64, high=None):
    """Grow `size` until measure(size) -- the steady iteration times of the
    calibration VM, or None if it failed -- has its minimum >= MIN_MARGIN x
    target_ms and its median >= MEDIAN_LOW x target_ms (and, with `high`, shrink it
    while the median is above high x target_ms).  Answer (size, [(size,
    median), ...])."""
    trace = []
    for _ in range(max_rounds):
        times = measure(size)
        if not times:
            trace.append((size, None))
            break
        med, low = statistics.median(times), min(times)
        trace.append((size, med))
        new = next_size(size, med, low, target_ms, high, max_factor)
        if new is None:
            break
        size = new
    return size, trace


class SizeGuess:
    """First guesses of per-VM sizes: a VM's time per unit of size relative
    to the reference VM (the first one), averaged (geometric mean) over the
    benchmarks calibrated so far, predicts its size for the next one, so
    that most calibrations take one round."""

    def __init__(self, target_ms):
        self.target = target_ms
        self.ref_unit = {}            # bench -> the reference VM's ms/unit
        self.log_ratios = {}          # vm -> [log(ms/unit over the reference's)]

    def guess(self, vm, bench, default):
        ratios = self.log_ratios.get(vm)
        if bench not in self.ref_unit or not ratios:
            return default
        unit = self.ref_unit[bench] * math.exp(sum(ratios) / len(ratios))
        # aim at the middle of the accepted range
        return max(1, int(round(AIM * self.target / max(unit, 1e-6))))

    def learn(self, vm, bench, size, median_ms, reference):
        if not median_ms or median_ms <= 0:
            return
        unit = median_ms / float(size)
        if reference:
            self.ref_unit[bench] = unit
        elif bench in self.ref_unit:
            self.log_ratios.setdefault(vm, []).append(math.log(unit / self.ref_unit[bench]))


def pad_file(tmpdir, setup):
    """A line that does nothing a program could notice: filed in before
    tinyBenchmarks, it gives setup `setup` (1, 2, ...) of a history.  One
    such line can change what the JIT compiles (docs/architecture.md, "JIT
    counters"), so --setups samples the history lottery instead of drawing
    once."""
    path = os.path.join(tmpdir, 'pad-%d.st' % setup)
    with open(path, 'w') as f:
        f.write('EVAL (1 to: %d) do: [:i | Array new: 3]\n' % setup)
    return path


def tiny_history_files(tmpdir, history, runs, suite_sizes, setup=0):
    """Files for `runs` runs of 0 tinyBenchmarks in one process after one
    of the TINY_HISTORIES (suite_sizes: [(benchmark, size)] of the suite);
    setup > 0 files in pad_file(setup) just before tinyBenchmarks runs."""
    files = _tiny_history_files(tmpdir, history, runs, suite_sizes)
    if setup:
        # the last two files are the one that runs tinyBenchmarks and quit.st
        files.insert(len(files) - 2, pad_file(tmpdir, setup))
    return files


def _tiny_history_files(tmpdir, history, runs, suite_sizes):
    if history == 'as in make bench':
        return write_driver(tmpdir, TINY, runs, 1)
    plain = os.path.join(tmpdir, 'tiny-plain.st')
    with open(plain, 'w') as f:
        for i in range(1, runs + 1):
            f.write("EVAL Transcript show: 'TINY %d ' + 0 tinyBenchmarks\n" % i)
    if history == 'alone':
        return [plain, quit_file(tmpdir)]
    files = [os.path.join(HERE, 'runner.st')]
    if history == 'after the suite':
        files += suite_once_files(tmpdir, suite_sizes)
    return files + [plain, quit_file(tmpdir)]


def suite_once_files(tmpdir, suite_sizes):
    """The suite's files and a driver that runs each benchmark once
    (suite_sizes: [(benchmark, size)]); runner.st goes before them."""
    driver = os.path.join(tmpdir, 'driver-suite-once.st')
    with open(driver, 'w') as f:
        for b, size in suite_sizes:
            f.write(driver_line(b, 1, size))
    return [bench_path(b) for b, _ in suite_sizes] + [driver]


# ---------------------------------------------------------------------------
# running

class Runner:
    """Runs processes of one harness invocation (logs, X display, counters)."""

    def __init__(self, image, timeout, logdir, tmpdir, display=None, clock='vm'):
        self.image = image
        self.clock = clock              # --clock: 'vm' or 'lines' (clock.py)
        self.timeout = timeout
        self.logdir = logdir
        self.tmpdir = tmpdir
        self.display = display
        self.floor_exe = None           # bench/noisefloor.c, built for --noise-floor
        self.rss_helper = build_rss_helper(tmpdir)  # bench/maxrss.c, or None

    def run(self, vm, files, log_name):
        # TMPDIR: whatever a killed wrapper leaves behind goes with our tmpdir
        env = dict(os.environ, TMPDIR=self.tmpdir)
        if vm.display and self.display:
            env['DISPLAY'] = self.display
        cmd = expand(vm.template, self.image, files)
        return run_process(cmd, self.timeout, os.path.join(self.logdir, log_name), env,
                           self.rss_helper)

    def bench_process(self, vm, bench, files, log_name, process):
        """One process of a benchmark: a run record for results.json."""
        res = self.run(vm, files, log_name)
        vm_times, ok, fails, tiny, started = parse_output(res.text, bench)
        times, clock, lines = choose_times(self.clock, vm_times, res.stamps, bench)
        run = {'process': process, 'times': times, 'wall_s': round(res.seconds, 3),
               'rc': res.rc, 'maxrss_kb': res.maxrss_kb, 'clock': clock}
        if clock == 'lines':
            run['vm_times'] = vm_times
        elif lines:
            run['line_times'] = lines
        if res.cpu_s is not None:
            run['cpu_s'] = round(res.cpu_s, 3)
        if tiny:
            run['tiny'] = tiny
        jit, gc = parse_marks(res.text, bench, 'gc-collect-step' in vm.template)
        if jit is not None and len(jit) == len(times):
            run['jit'] = jit
        if gc is not None and len(gc) == len(times):
            run['gc'] = gc
        if bench == TINY and tiny and not res.timed_out:
            # run.cc prints the line without the runner protocol
            ok = ok or not started
        if res.timed_out:
            run['status'] = 'timeout'
            run['error'] = 'timed out after %ds; %s' % (self.timeout, error_excerpt(res.text))
        elif ok and not fails and (times or bench == TINY):
            run['status'] = 'ok'
        else:
            run['status'] = 'failed'
            run['error'] = ('check failed: ' + '; '.join(fails[:3])) if fails else (
                'rc=%s, no BENCH-OK; %s' % (res.rc, error_excerpt(res.text)))
        return run


def note(msg):
    sys.stderr.write(msg)
    sys.stderr.flush()


def measure_startup(runner, vm, tmpdir, runs):
    """Start-up: load the image and quit at once (median ms, max RSS)."""
    times, rss = [], []
    for k in range(runs):
        res = runner.run(vm, [quit_file(tmpdir)], 'startup-%s-%d.log' % (vm.name, k + 1))
        if res.rc == 0 and not res.timed_out:
            times.append(res.seconds * 1000.0)
            rss.append(res.maxrss_kb)
    if not times:
        return {'ms': None, 'maxrss_kb': None}
    return {'ms': statistics.median(times), 'maxrss_kb': max(rss)}


def run_calibration(runner, vm, benches, sizes, args, tmpdir):
    """Calibrated sizes (in place) and the trace of every benchmark."""
    traces = {}
    for b in benches:
        if b == TINY or not vm.runs(b):
            continue

        def measure(size, b=b):
            files = write_driver(tmpdir, b, args.calibrate_iterations, size)
            run = runner.bench_process(vm, b, files, 'calibrate-%s-%d.log' % (b, size), 0)
            if run['status'] != 'ok':
                return None
            return steady(run['times'], args.steady_fraction)
        note('calibrating %s on %s ... ' % (b, vm.name))
        sizes[b], traces[b] = calibrate(measure, sizes[b], args.calibrate)
        note('size %d (%s)\n' % (sizes[b], ', '.join('%d: %s ms' % (s, fmt_ms(m))
                                                      for s, m in traces[b])))
    return traces


def run_tiny_histories(runner, vms, sizes, args, tmpdir):
    """The 5th (last) tinyBenchmarks run of one process under each history
    (spy's VMs only: the suite would take the reference VMs too long), in
    each of args.setups setups.  Answers ({vm: {history: figures of setup
    0}}, {vm: {history: [figures of setup 0, 1, ...]}})."""
    out, per_setup = {}, {}
    for vm in vms:
        if vm.reference or vm.history or not vm.runs(TINY):
            continue
        suite = [(b, (sizes.get(b) or {}).get(vm.name)
                  or scaled_size(b, args.scale))
                 for b in BENCHMARKS if b != TINY]
        out[vm.name], per_setup[vm.name] = {}, {}
        for h in TINY_HISTORIES:
            per_setup[vm.name][h] = []
            for setup in range(args.setups):
                files = tiny_history_files(tmpdir, h, args.tiny_runs, suite, setup)
                label = h if not setup else '%s, setup %d' % (h, setup)
                note('tinyBenchmarks %s on %s ... ' % (label, vm.name))
                log = 'tiny-history-%s-%s%s.log' % (vm.name, h.replace(' ', '_'),
                                                     '-%d' % setup if setup else '')
                res = runner.run(vm, files, log)
                tiny = parse_output(res.text, TINY)[3]
                last = tiny[args.tiny_runs - 1] if len(tiny) >= args.tiny_runs else None
                per_setup[vm.name][h].append(last)
                note('%s\n' % ('%d bytecodes/s, %d sends/s' % tuple(last) if last else 'FAILED'))
            out[vm.name][h] = per_setup[vm.name][h][0]
    return out, per_setup


def store_tiny_histories(meta, answer):
    meta['tiny_histories'], per_setup = answer
    if meta.get('setups', 1) > 1:
        meta['tiny_history_setups'] = per_setup


def machine_info():
    info = {'machine': platform.machine(), 'node': platform.node(), 'system': platform.platform(),
            'python': platform.python_version(), 'cpus': os.cpu_count(), 'cpu': ''}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    info['cpu'] = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info['loadavg_start'] = os.getloadavg()
    except OSError:
        pass
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vm', action='append', default=[], metavar='NAME=TEMPLATE',
                    help='a VM command template with {image} and {files} (repeatable)')
    ap.add_argument('--refvms', metavar='DIR',
                    help='also run the reference VMs built by bench/refvms/setup.py in DIR')
    ap.add_argument('--only', metavar='VMS', help='run only these of the VMs (comma-separated)')
    ap.add_argument('--image', help='the SmallWorld image file (default with --refvms: '
                    "the checkout's SmallWorld/src/image)")
    ap.add_argument('--benchmarks', '-b', default='all',
                    help='comma/space separated names, or "all" (default)')
    ap.add_argument('--iterations', '-n', type=int, default=10,
                    help='iterations per process (default 10)')
    ap.add_argument('--processes', '-p', type=int, default=3,
                    help='processes (repeats) per VM and benchmark (default 3)')
    ap.add_argument('--vm-iterations', action='append', default=[], metavar='VM=N',
                    help='iterations per process for one VM (e.g. a slow interpreter)')
    ap.add_argument('--vm-processes', action='append', default=[], metavar='VM=N',
                    help='processes for one VM')
    ap.add_argument('--tiny-runs', type=int, default=5,
                    help='0 tinyBenchmarks runs per process (default 5)')
    ap.add_argument('--size', action='append', default=[], metavar='BENCH=N',
                    help='problem size for one benchmark (default: its defaultSize)')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every default size by this factor (sizes stay >= 1)')
    ap.add_argument('--calibrate', type=float, metavar='MS',
                    help='calibrate every VM\'s own size so that its steady iterations take '
                    'at least MS ms (e.g. 50; the first process must reach %g x MS, median %g x '
                    'MS) but at most %g x MS (unless the size is 1); --size wins'
                    % (MIN_MARGIN, MEDIAN_LOW, HIGH))
    ap.add_argument('--calibrate-vm', help='calibrate the sizes on this VM only (growing them '
                    'until its iterations take MS ms) and run every VM at those sizes')
    ap.add_argument('--calibrate-iterations', type=int, default=6,
                    help='iterations per calibration process with --calibrate-vm (default 6)')
    ap.add_argument('--calibrate-rounds', type=int, default=5,
                    help='most processes tried per VM and benchmark when calibrating each '
                    'VM (default 5)')
    ap.add_argument('--budget', type=float, default=0, metavar='S',
                    help='seconds each VM may spend on the suite (0 = no limit): a process '
                    'after the first of its cell that would not fit is skipped (reported); '
                    'calibration stops at the benchmark\'s share')
    ap.add_argument('--vm-budget', action='append', default=[], metavar='VM=S',
                    help='the budget of one VM')
    ap.add_argument('--linearity', metavar='VMS',
                    help='on these VMs, also run every benchmark at its size and at k x it '
                    '(k = largest / smallest size of the VMs, 2..8) in one process and compare '
                    'the time per unit of size')
    ap.add_argument('--history', nargs='?', const='all', metavar='VMS',
                    help='also run these VMs (default: every --vm) in history mode, as NAME+hist: '
                    'each benchmark after all the others were filed in and run once')
    ap.add_argument('--tiny-histories', action='store_true',
                    help='run tinyBenchmarks under four histories (alone; after runner.st; after '
                    'the suite; as in make bench) and report the last run of each')
    ap.add_argument('--setups', type=int, default=1,
                    help='with --tiny-histories: run each history in this many setups, setup i '
                    'filing in one more do-nothing line (i Arrays made) before tinyBenchmarks, '
                    'and report the spread (default 1: one draw of the JIT-history lottery)')
    ap.add_argument('--startup-runs', type=int, default=3,
                    help='start-up measurements per VM (default 3; 0 = none)')
    ap.add_argument('--noise-floor', nargs='?', const='memory', choices=floor.KINDS,
                    help='after each process of --floor-vm, run bench/noisefloor.c (built with '
                    '$CC) as long per iteration as that VM\'s steady iterations, as many '
                    'iterations, and report its spread: the machine\'s own noise '
                    '(kind: memory, the default, or alu)')
    ap.add_argument('--floor-vm', metavar='VM',
                    help='the VM whose iterations --noise-floor imitates (default: the '
                    'baseline, else the first VM)')
    ap.add_argument('--clock', choices=CLOCKS, default='vm',
                    help="what times an iteration: 'vm', the ms the runner prints (the "
                    "image's millisecond clock, the default), or 'lines', the time between "
                    "the arrivals of the runner's lines, to the microsecond, where at least "
                    "90%% of a process's iterations agree with the VM's ms (bench/clock.py)")
    ap.add_argument('--timeout', type=float, default=900,
                    help='seconds per process (default 900)')
    ap.add_argument('--baseline', help='VM name that ratios are computed against '
                    '(default: the last --vm)')
    ap.add_argument('--vm-benchmarks', action='append', default=[], metavar='VM=LIST',
                    help='restrict a VM to some benchmarks (others are reported as not run)')
    ap.add_argument('--steady-fraction', type=float, default=0.5,
                    help='the last iterations of a process that are always steady state '
                    '(default 0.5); earlier ones are too, after the last warm-up iteration '
                    '(one slower than 1.25 x the median of the last half)')
    ap.add_argument('--out', default=os.path.join(HERE, 'results'),
                    help='output directory (default bench/results)')
    ap.add_argument('--no-charts', action='store_true', help='do not write PNG charts')
    ap.add_argument('--list', action='store_true', help='list the benchmarks and exit')
    args = ap.parse_args(argv)
    if args.setups < 1:
        ap.error('--setups must be at least 1')

    if args.list:
        for b, (f, c, desc) in BENCHMARKS.items():
            print('%-15s %-18s %-18s %s (default size %s)' % (b, f, c, desc, default_size(b)))
        return 0
    vms = []
    for spec in args.vm:
        if '=' not in spec:
            ap.error('--vm must be NAME=TEMPLATE')
        k, v = spec.split('=', 1)
        vms.append(VM(k, v))
    refreg = None
    if args.refvms:
        refreg, refs = load_refvms(args.refvms)
        vms.extend(refs)
    if args.only:
        keep = args.only.replace(',', ' ').split()
        unknown = [n for n in keep if n not in [v.name for v in vms]]
        if unknown:
            ap.error('--only: no VM %s' % ', '.join(unknown))
        vms = [v for v in vms if v.name in keep]
    image = args.image or (refreg and refreg.get('image'))
    if not vms or not image:
        ap.error('--vm (or --refvms) and --image are required')
    names = [v.name for v in vms]
    if len(set(names)) != len(names):
        ap.error('two VMs are called the same: %s' % ', '.join(names))
    byname = {v.name: v for v in vms}
    for k, lst in parse_kv(args.vm_benchmarks, '--vm-benchmarks').items():
        if k not in byname:
            ap.error('--vm-benchmarks: no VM %r' % k)
        byname[k].benchmarks = bench_list(lst)
    if args.history:
        chosen = [n for n in names if not byname[n].display and byname[n].supports_files()] \
            if args.history == 'all' else args.history.replace(',', ' ').split()
        for n in chosen:
            if n not in byname:
                ap.error('--history: no VM %r' % n)
            base = byname[n]
            vms.append(VM(n + '+hist', base.template, base.benchmarks, base.excluded,
                          base.display, history=True))
        byname = {v.name: v for v in vms}
    for opt, attr in ((args.vm_iterations, 'iterations'), (args.vm_processes, 'processes')):
        for k, n in parse_kv(opt, '--vm-' + attr).items():
            if k not in byname:
                ap.error('--vm-%s: no VM %r' % (attr, k))
            setattr(byname[k], attr, int(n))
    names = [v.name for v in vms]
    baseline = args.baseline if args.baseline is not None else (
        [v.name for v in vms if not v.history][-1] if len(vms) > 1 else None)
    if baseline == '':
        baseline = None
    if baseline and baseline not in byname:
        ap.error('--baseline %r is not one of the VMs' % baseline)
    benches = bench_list(args.benchmarks)
    if args.tiny_runs < 1 and TINY in benches:
        if args.tiny_histories:
            ap.error('--tiny-histories needs --tiny-runs of at least 1')
        # no run of it to time: left out rather than reported as failed
        benches = [b for b in benches if b != TINY]
        note('--tiny-runs %d: tinyBenchmarks is left out\n' % args.tiny_runs)
    # sizes[bench][vm]: every VM starts at the same size; calibration (per
    # VM, or on --calibrate-vm for all) changes them
    sizes = {}
    user_sizes = parse_kv(args.size, '--size')
    for b in benches:
        if b in user_sizes:
            base = int(user_sizes[b])
        elif b == TINY:
            base = 1
        else:
            base = scaled_size(b, args.scale)
        sizes[b] = {v.name: base for v in vms}
    budgets = parse_kv(args.vm_budget, '--vm-budget')
    for v in vms:
        if v.name in budgets:
            v.budget = float(budgets[v.name])
        elif v.history and v.name[:-len('+hist')] in budgets:
            v.budget = float(budgets[v.name[:-len('+hist')]])
        else:
            v.budget = args.budget
    linearity = args.linearity.replace(',', ' ').split() if args.linearity else []
    for n in linearity:
        if n not in byname:
            ap.error('--linearity: no VM %r' % n)
    floor_vm = None
    if args.noise_floor:
        floor_vm = args.floor_vm or baseline or names[0]
        if floor_vm not in byname:
            ap.error('--floor-vm %r is not one of the VMs' % floor_vm)
    elif args.floor_vm:
        ap.error('--floor-vm needs --noise-floor')
    image = os.path.abspath(image)
    if not os.path.exists(image):
        ap.error('image not found: %s' % image)

    os.makedirs(args.out, exist_ok=True)
    logdir = os.path.join(args.out, 'logs')
    os.makedirs(logdir, exist_ok=True)
    meta = {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'command': ' '.join(shlex.quote(a) for a in (sys.argv if argv is None
                                                        else ['bench/harness.py'] + list(argv))),
        'image': image, 'vms': {v.name: v.template for v in vms}, 'vm_order': names,
        'baseline': baseline, 'benchmarks': benches, 'sizes': sizes,
        'iterations': args.iterations, 'tiny_runs': args.tiny_runs, 'setups': args.setups,
        'processes': args.processes, 'steady_fraction': args.steady_fraction,
        'timeout_s': args.timeout, 'calibrate_ms': args.calibrate,
        'startup_runs': args.startup_runs, 'host': machine_info(),
        'vm_iterations': {v.name: v.iterations for v in vms if v.iterations},
        'vm_processes': {v.name: v.processes for v in vms if v.processes},
        'history_vms': [v.name for v in vms if v.history],
        'budget_s': {v.name: v.budget for v in vms if v.budget},
        'linearity_vms': linearity, 'clock': args.clock,
    }
    if floor_vm:
        meta['noise_floor'] = {'kind': args.noise_floor, 'vm': floor_vm, 'runs': {}}
    if refreg:
        meta['refvms'] = {'checkout': refreg.get('checkout'), 'patches': refreg.get('patches')}
    results = {b: {v: {'runs': []} for v in names} for b in benches}
    t_start = time.time()
    with tempfile.TemporaryDirectory(prefix='spybench-') as tmpdir:
        xvfb = Xvfb() if any(v.display for v in vms) else None
        display = xvfb.__enter__() if xvfb else None
        try:
            runner = Runner(image, args.timeout, logdir, tmpdir, display, args.clock)
            if floor_vm:
                try:
                    runner.floor_exe = floor.compile_floor(tmpdir)
                except floor.FloorError as e:
                    sys.exit('harness: %s' % e)
            if not runner.rss_helper:
                note('harness: no C compiler for bench/maxrss.c: max RSS figures are at least '
                     "the harness's own\n")
            meta['rss'] = 'maxrss.c' if runner.rss_helper else 'floored by the harness'
            run_all(runner, vms, benches, sizes, user_sizes, baseline, args, tmpdir, meta, results)
            if os.path.exists(os.path.join(args.out, 'results.partial.json')):
                os.remove(os.path.join(args.out, 'results.partial.json'))
        finally:
            if xvfb:
                xvfb.__exit__(None, None, None)
    meta['host']['loadavg_end'] = os.getloadavg()
    meta['wall_s'] = round(time.time() - t_start, 1)
    geo = summarize(results, names, benches, baseline, args.steady_fraction, sizes)
    write_outputs(args.out, meta, results, geo, not args.no_charts)
    return 0


def run_all(runner, vms, benches, sizes, user_sizes, baseline, args, tmpdir, meta, results):
    """Calibration, start-up, tinyBenchmarks histories, then every process:
    process 1 of every (benchmark, VM) first (calibrating each VM's size
    with --calibrate), then process 2 of every cell, and so on, within each
    VM's time budget; finally the linearity checks."""
    per_vm = args.calibrate and not args.calibrate_vm
    if args.calibrate and args.calibrate_vm:
        cal = next((v for v in vms if v.name == args.calibrate_vm), None)
        if cal is None:
            sys.exit('harness: --calibrate-vm %r is not one of the VMs' % args.calibrate_vm)
        todo = [b for b in benches if b not in user_sizes]
        base = {b: sizes[b][cal.name] for b in benches}
        meta['calibration'] = {'vm': cal.name, 'traces': run_calibration(
            runner, cal, todo, base, args, tmpdir)}
        for b in benches:
            for v in vms:
                sizes[b][v.name] = base[b]
    if args.startup_runs:
        meta['startup'] = {}
        for v in vms:
            # run.cc always runs its whole built-in task: no start-up to see
            if not v.history and v.supports_files():
                meta['startup'][v.name] = measure_startup(runner, v, tmpdir, args.startup_runs)
                note('start-up of %s: %s ms\n' % (v.name, fmt_ms(meta['startup'][v.name]['ms'])))
    if args.tiny_histories and not per_vm:
        store_tiny_histories(meta, run_tiny_histories(runner, vms, sizes, args, tmpdir))
    state = RunState(vms, benches, args, meta, results)
    guess = SizeGuess(args.calibrate) if per_vm else None
    if per_vm:
        meta['calibration'] = {'vm': 'each VM', 'traces': {}}
    plain = [v for v in vms if not v.history]
    # process 1: the VMs' own (calibrated) sizes first, the history VMs after
    # them, since they run every benchmark at their base VM's sizes
    for b in benches:
        for v in plain:
            if not state.start(v, b, 1):
                continue
            if per_vm and b != TINY and b not in user_sizes:
                run = calibrated_process(runner, state, v, b, sizes, guess, plain[0], args, tmpdir)
            else:
                run = state.run(runner, v, b, 1, sizes[b][v.name], tmpdir)
            state.record(v, b, run, runner)
    for v in vms:
        if v.history:
            base = v.name[:-len('+hist')]
            for b in benches:
                sizes[b][v.name] = sizes[b][base]
    if args.tiny_histories and per_vm:
        store_tiny_histories(meta, run_tiny_histories(runner, vms, sizes, args, tmpdir))
    for b in benches:
        for v in vms:
            if v.history and state.start(v, b, 1):
                state.record(v, b, state.run(runner, v, b, 1, sizes[b][v.name], tmpdir, sizes),
                             runner)
    for p in range(2, state.maxp + 1):
        for b in benches:
            for v in vms:
                if p <= (v.processes or args.processes) and v.runs(b):
                    if state.within_budget(v, b):
                        state.record(v, b, state.run(runner, v, b, p, sizes[b][v.name], tmpdir,
                                                     sizes), runner)
                    else:
                        state.skip(v, b)
    lin = [v for v in vms if v.name in meta['linearity_vms']]
    if lin:
        meta['linearity'] = check_linearity(runner, lin, benches, sizes, results, args, tmpdir)


class RunState:
    """Progress, time spent per (VM, benchmark) and the partial results file."""

    def __init__(self, vms, benches, args, meta, results):
        self.args, self.meta, self.results = args, meta, results
        self.maxp = max([args.processes] + [v.processes or 0 for v in vms])
        self.total = sum(min(self.maxp, v.processes or args.processes)
                         for b in benches for v in vms if v.runs(b))
        self.done = 0
        self.spent = {}                    # (vm, bench) -> seconds
        self.cell_budget = {v.name: (v.budget / max(1, len([b for b in benches if v.runs(b)])))
                            if v.budget else None for v in vms}
        meta['budget_skipped'] = {}

    def start(self, v, b, p):
        """False (and a 'not run' record) for a benchmark the VM does not run."""
        if v.runs(b):
            return True
        self.results[b][v.name]['runs'].append({'process': p, 'status': 'not run', 'times': []})
        return False

    def within_budget(self, v, b):
        """Another process of (v, b) fits in what is left of the VM's budget
        (judged by the cell's longest process so far).  Processes run in
        rounds (process 2 of every cell before any process 3), so the
        cells of a VM share its budget fairly."""
        if not v.budget:
            return True
        walls = [r.get('wall_s', 0) for r in self.results[b][v.name]['runs']]
        spent = sum(t for (name, _), t in self.spent.items() if name == v.name)
        return spent + max(walls or [0]) <= v.budget

    def skip(self, v, b):
        self.total -= 1
        d = self.meta['budget_skipped'].setdefault(v.name, {})
        d[b] = d.get(b, 0) + 1

    def charge(self, v, b, seconds):
        self.spent[(v.name, b)] = self.spent.get((v.name, b), 0) + seconds

    def run(self, runner, v, b, p, size, tmpdir, sizes=None, log=None):
        iters = self.args.tiny_runs if b == TINY else (v.iterations or self.args.iterations)
        history = [(o, sizes[o][v.name]) for o in self.meta['benchmarks'] if o != b] \
            if v.history else None
        files = write_driver(tmpdir, b, iters, size, history)
        note('[%d/%d] %s on %s, process %d, size %d ... ' % (self.done + 1, self.total, b, v.name,
                                                           p, size))
        run = runner.bench_process(v, b, files, log or '%s-%s-p%d.log' % (b, v.name, p), p)
        run['size'] = size
        self.charge(v, b, run['wall_s'])
        note('%s %s (%.1fs)\n' % (run['status'], ' '.join(str(t) for t in run['times'][:12]),
                                  run['wall_s']))
        return run

    def record(self, v, b, run, runner=None):
        self.done += 1
        self.results[b][v.name]['runs'].append(run)
        nf = self.meta.get('noise_floor')
        if runner and nf and v.name == nf['vm'] and b != TINY:
            self.run_floor(runner, v, b, run)
        # a long run that is stopped still leaves its raw data
        with open(os.path.join(self.args.out, 'results.partial.json'), 'w') as f:
            json.dump({'meta': self.meta, 'results': self.results}, f)

    def run_floor(self, runner, v, b, run):
        """--noise-floor: right after process p of the floor VM, process p
        of the native workload, as long per iteration as the VM's first
        process's steady iterations."""
        nf = self.meta['noise_floor']
        runs = nf['runs'].setdefault(b, [])
        firsts = [r for r in self.results[b][v.name]['runs'] if r['status'] != 'not run']
        ms = floor.target_ms(firsts[0], self.args.steady_fraction) if firsts else None
        if ms is None:
            note('noise floor of %s: no steady iterations of at least 1 ms on %s\n'
                 % (b, v.name))
            return
        iters = v.iterations or self.args.iterations
        note('noise floor of %s, process %d, %.0f ms x %d ... ' % (b, run['process'], ms, iters))
        fr = floor.floor_process(runner.floor_exe, b, ms, iters, nf['kind'], run['process'],
                                 self.args.timeout,
                                 os.path.join(runner.logdir, '%s-floor-p%d.log' % (b, run['process'])),
                                 parse_output, runner.clock)
        note('%s %s\n' % (fr['status'], ' '.join(str(t) for t in fr['times'][:12])))
        runs.append(fr)


def calibrated_process(runner, state, v, b, sizes, guess, ref, args, tmpdir):
    """Process 1 of (v, b), calibrating v's own size on the way: each round
    is a full process; a round whose size is rejected (steady iterations
    under the target, or far above it) is logged and recorded in the trace,
    and the accepted one is process 1.  Answer that process's run."""
    target = args.calibrate
    size = guess.guess(v.name, b, sizes[b][v.name])
    trace = []
    budget = state.cell_budget[v.name]
    for rnd in range(args.calibrate_rounds):
        log = 'calibrate-%s-%s-%d.log' % (b, v.name, rnd + 1)
        run = state.run(runner, v, b, 1, size, tmpdir, log=log)
        times = steady(run['times'], args.steady_fraction) if run['status'] == 'ok' else []
        med = statistics.median(times) if times else None
        trace.append((size, med))
        new = next_size(size, med, min(times), target, HIGH) if times else None
        last = rnd + 1 == args.calibrate_rounds or (
            budget and state.spent.get((v.name, b), 0) >= budget)
        if new is None or last:
            os.replace(os.path.join(runner.logdir, log),
                       os.path.join(runner.logdir, '%s-%s-p1.log' % (b, v.name)))
            break
        run['rejected'] = True
        state.meta['calibration'].setdefault('rejected', []).append(
            {'vm': v.name, 'bench': b, 'size': size, 'times': run['times'],
             'wall_s': run['wall_s']})
        size = new
    sizes[b][v.name] = size
    if med:
        guess.learn(v.name, b, size, med, v is ref)
    state.meta['calibration']['traces'].setdefault(b, {})[v.name] = trace
    note('  %s on %s: size %d (%s)\n' % (b, v.name, size, ', '.join(
        '%d: %s ms' % (s_, fmt_ms(m)) for s_, m in trace)))
    return run


def parse_segments(text, bench):
    """The iteration times of each BENCH-START ... run of `bench` in order
    (a process that ran it twice at two sizes)."""
    segs = []
    for line in text.splitlines():
        m = START_RE.search(line)
        if m and m.group(1) == bench:
            segs.append({})
            continue
        m = BENCH_RE.search(line)
        if m and m.group(1) == bench and segs:
            segs[-1][int(m.group(2))] = int(m.group(3))
    return [[seg[k] for k in sorted(seg)] for seg in segs]


def linearity_factor(sizes_of_bench):
    """How much larger the second size of a linearity check is: the ratio
    of the largest to the smallest size the VMs ran (the range the per-unit
    comparison spans), between 2 and 8."""
    xs = [x for x in sizes_of_bench.values() if x]
    return int(min(8, max(2, round(max(xs) / float(min(xs)))))) if xs else 2


def check_linearity(runner, vms, benches, sizes, results, args, tmpdir):
    """Is a benchmark's work linear in its size?  One process per (VM,
    benchmark) runs it at the VM's size, then at k times it (k from
    linearity_factor, with half the iterations); the steady medians per unit
    of size should agree (bench/README.md)."""
    out = []
    for v in vms:
        for b in benches:
            if b == TINY or not v.runs(b) or results[b][v.name].get('status') == 'not run':
                continue
            size = sizes[b][v.name]
            big = size * linearity_factor({k: x for k, x in sizes[b].items()
                                           if not k.endswith('+hist')})
            iters = v.iterations or args.iterations
            driver = os.path.join(tmpdir, 'driver-linear-%s.st' % b)
            with open(driver, 'w') as f:
                f.write(driver_line(b, iters, size))
                f.write(driver_line(b, max(3, iters // 2), big))
                f.write('EVAL BenchRunner done\n')
            files = [os.path.join(HERE, 'runner.st'), bench_path(b), driver, quit_file(tmpdir)]
            note('linearity of %s on %s (sizes %d, %d) ... ' % (b, v.name, size, big))
            res = runner.run(v, files, 'linearity-%s-%s.log' % (b, v.name))
            segs = parse_segments(res.text, b)
            entry = {'bench': b, 'vm': v.name, 'size': size, 'size2': big,
                     'times': segs, 'ms_per_unit': None, 'ms_per_unit2': None}
            if len(segs) == 2 and all(segs) and OK_RE.search(res.text):
                entry['ms_per_unit'] = statistics.median(steady(segs[0], args.steady_fraction)) / size
                entry['ms_per_unit2'] = (statistics.median(steady(segs[1], args.steady_fraction))
                                         / big)
                note('%.3g vs %.3g ms/unit\n' % (entry['ms_per_unit'], entry['ms_per_unit2']))
            else:
                note('FAILED\n')
            out.append(entry)
    return out


def write_outputs(out, meta, results, geo, charts):
    vms, benches = meta['vm_order'], meta['benchmarks']
    head = ['spy benchmark results  %s' % meta['date'],
            'command: %s' % meta['command'],
            'machine: %s, %s cores, %s; load average %s at the start' % (
                meta['host'].get('cpu') or meta['host']['machine'], meta['host']['cpus'],
                meta['host']['system'],
                ' '.join('%.1f' % x for x in meta['host'].get('loadavg_start', []))),
            'image: %s' % meta['image'],
            'iterations/process: %d  processes: %d  steady state: at least the last %d%% of '
            'iterations, after the warm-up%s'
            % (meta['iterations'], meta['processes'], round(meta['steady_fraction'] * 100),
               ('; sizes calibrated on %s to >= %g ms' % (meta['calibration']['vm'], meta['calibrate_ms'])
                if meta.get('calibration') else ''))]
    if meta.get('budget_s'):
        head.append('time budget per VM (s): %s' % ', '.join(
            '%s=%g' % kv for kv in meta['budget_s'].items()))
    if meta.get('budget_skipped'):
        head.append('processes skipped for the budget: %s' % '; '.join(
            '%s: %s' % (v, ', '.join('%s %d' % kv for kv in d.items()))
            for v, d in meta['budget_skipped'].items()))
    if meta.get('wall_s'):
        head.append('wall-clock time of the run: %.0f s' % meta['wall_s'])
    for k in ('vm_iterations', 'vm_processes'):
        if meta.get(k):
            head.append('%s: %s' % (k.replace('_', ' '), ', '.join('%s=%s' % kv for kv in meta[k].items())))
    if meta.get('clock') == 'lines':
        head.append(clock_line(vms, benches, results))
    if meta.get('rss') == 'floored by the harness':
        head.append("max RSS: no C compiler for bench/maxrss.c, so every RSS figure is at "
                    "least the harness's own (Linux keeps the peak across exec)")
    if meta.get('history_vms'):
        head.append('NAME+hist = the VM in history mode: each benchmark runs after every other '
                    'selected benchmark was filed in and run once in the same process')
    text = '\n'.join(head) + '\n' + full_report(meta, results, geo)
    sys.stdout.write(text)
    with open(os.path.join(out, 'results.txt'), 'w') as f:
        f.write(text)
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump({'meta': meta, 'results': results, 'geomean_speedup': geo}, f, indent=1)
    if charts:
        try:
            paths = write_charts(out, results, geo, vms, benches, meta['baseline'])
            if paths:
                note('wrote %s\n' % ', '.join(paths))
        except ImportError:
            note('matplotlib is not installed: no charts (make .venv3/.done)\n')
    note('wrote %s and %s\n' % (os.path.join(out, 'results.txt'), os.path.join(out, 'results.json')))

_SIZE_RE = re.compile(r'defaultSize\s*\n\s*\^\s*(\d+)')


def scaled_size(bench, scale):
    """The benchmark's defaultSize times --scale, at least 1."""
    return max(1, int(round(default_size(bench) * scale)))


def default_size(bench):
    """The benchmark's defaultSize, read from its .st file."""
    path = os.path.join(HERE, BENCHMARKS[bench][0])
    try:
        with open(path) as f:
            m = _SIZE_RE.search(f.read())
        return int(m.group(1)) if m else 1
    except OSError:
        return 1


if __name__ == '__main__':
    sys.exit(main())
