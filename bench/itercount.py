#!/usr/bin/env python3
"""Instructions of every iteration of one process, counted by callgrind:
whether a VM's steady state wanders by itself, or the machine makes it
look so.

bench/icount.py gives the mean cost of many steady iterations; this gives
each one.  The process runs under `valgrind --tool=callgrind
--dump-before=spy_monotonic_ms`, so callgrind writes its counts out and
starts again from zero whenever the VM reads its clock.  BenchRunner
reads it just before and just after each iteration (`Object
millisecondsToRun:`), so of the parts callgrind writes, the last 2N are
iteration 1, the gap after it, iteration 2, ..., iteration N and the end
of the run; those before are start-up and file-in.  The steady iterations are cut as the harness cuts them
(report.steady_start: the last --steady-fraction, and earlier ones after
the last iteration 1.25x the median of the last half), and +-% is the
harness's spread: the farthest of the lowest and highest from the median,
in % of it.  A JIT compile, a major collection or a trace that is thrown
away and recompiled shows in the count of its iteration; the machine's
noise does not.

With `--jit-events` and `PYPYLOG=gc-collect-step:-` (stderr joined by
`2>&1`) in the VM's template, as the harness takes them, an iteration in
which the JIT compiled or gave up a trace is marked J and one with a step
of a major collection G, and "+-% quiet" is the spread of the steady
iterations with neither.

  python3 bench/itercount.py --image IMAGE --vm spy='./spy {image} {files}' \\
      [-b towers,deltablue] [--scale 10] [--size list=300] \\
      [--iterations 20] [--jobs 2]

A VM other than spy needs --clock-function: the C function its clock
primitive calls.
"""
import argparse
import glob
import os
import re
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCHMARKS, BENCH_RE, HERE, TINY,  # noqa: E402
                     bench_command, parse_kv, parse_marks, scaled_size)
from icount import parse_vms, with_valgrind  # noqa: E402
from procs import run_process  # noqa: E402
from report import spread_pct, steady_start  # noqa: E402

PART = re.compile(r'^part:\s+(\d+)', re.M)
TOTALS = re.compile(r'^totals:\s+(\d+)', re.M)


def read_parts(out_file):
    """The instruction totals of callgrind's dumps, in the order of their
    part numbers (the last dump, at the program's end, is out_file
    itself; the earlier ones are out_file.1, .2, ...)."""
    parts = []
    for path in [out_file] + glob.glob(glob.escape(out_file) + '.*'):
        with open(path) as f:
            text = f.read()
        part, total = PART.search(text), TOTALS.search(text)
        if part and total:
            parts.append((int(part.group(1)), int(total.group(1))))
    return [total for _, total in sorted(parts)]


def iterations_of(parts, n):
    """The counts of the n iterations: every other part of the last 2n,
    from the first on; None when there are too few parts (one at least
    comes before the first iteration: start-up)."""
    if len(parts) < 2 * n + 1:
        return None
    return parts[-2 * n::2]


def count(template, valgrind, image, bench, iterations, size, tmp,
          clock_function, timeout):
    """(([instructions of each iteration], [its marks]), None), or (None,
    why).  A mark is '' or J (the JIT worked) and G (a major collection
    did) in that order."""
    os.makedirs(tmp, exist_ok=True)
    cmd = bench_command(template, image, tmp, HERE, bench, iterations, size)
    out_file = os.path.join(tmp, 'callgrind.out')
    result = run_process(with_valgrind(
        cmd, valgrind, out_file, tool='callgrind',
        options='--dump-before=%s' % clock_function), timeout)
    done = [m for m in BENCH_RE.finditer(result.text) if m.group(1) == bench]
    if len(done) < iterations or 'BENCH-OK %s' % bench not in result.text:
        tail = result.text.strip().splitlines()[-1:] or ['no output']
        return None, 'rc=%s, %d of %d iterations: %s' % (
            result.rc, len(done), iterations, tail[0][:200])
    counts = iterations_of(read_parts(out_file), iterations)
    if counts is None:
        return None, ('callgrind wrote fewer than %d parts: does the VM '
                      'call %s?' % (2 * iterations + 1, clock_function))
    jit, gc = parse_marks(result.text, bench, 'gc-collect-step' in template)
    marks = [('J' if jit and jit[i][0] else '') + ('G' if gc and gc[i] else '')
             for i in range(iterations)]
    return (counts, marks), None


def spread(values):
    """(median, lowest, highest, +-%) of some counts."""
    med = statistics.median(values)
    return med, min(values), max(values), spread_pct(min(values), med,
                                                     max(values))


def row(counts, marks, fraction):
    """(first steady iteration (1-based), median, lowest, highest, +-%,
    JIT iterations, GC iterations, +-% of the quiet ones or None) of one
    process's counts."""
    start = steady_start(counts, fraction)
    steady = counts[start:]
    steady_marks = marks[start:]
    quiet = [c for c, m in zip(steady, steady_marks) if not m]
    return ((start + 1,) + spread(steady) +
            (sum('J' in m for m in steady_marks),
             sum('G' in m for m in steady_marks),
             spread(quiet)[3] if quiet else None))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--image', required=True)
    ap.add_argument('--vm', action='append', required=True,
                    metavar='NAME=TEMPLATE')
    ap.add_argument('--benchmarks', '-b', default='all')
    ap.add_argument('--scale', type=float, default=10.0,
                    help='sizes are the benchmarks\' defaults times this')
    ap.add_argument('--size', action='append', default=[],
                    metavar='BENCH=N', help='a size for one benchmark')
    ap.add_argument('--iterations', '-n', type=int, default=20)
    ap.add_argument('--steady-fraction', type=float, default=0.5)
    ap.add_argument('--clock-function', default='spy_monotonic_ms')
    ap.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--valgrind', default='valgrind')
    ap.add_argument('--timeout', type=float, default=3600)
    args = ap.parse_args(argv)
    vms = parse_vms(ap, args.vm)
    if args.iterations < 2:
        ap.error('--iterations must be at least 2')
    benches = [b for b in BENCHMARKS if b != TINY] \
        if args.benchmarks == 'all' else args.benchmarks.split(',')
    unknown = [b for b in benches if b not in BENCHMARKS or b == TINY]
    if unknown:
        ap.error('unknown benchmark %s (tinyBenchmarks reads the clock '
                 'itself)' % ', '.join(unknown))
    sizes = dict((b, int(n)) for b, n in parse_kv(args.size, '--size').items())
    image = os.path.abspath(args.image)

    def size_of(bench):
        return sizes[bench] if bench in sizes else \
            scaled_size(bench, args.scale)

    jobs = [(b, v) for b in benches for v in range(len(vms))]
    with tempfile.TemporaryDirectory(prefix='spyitercount-') as tmp:
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(
                count, vms[v][1], args.valgrind, image, b, args.iterations,
                size_of(b), os.path.join(tmp, 'run-%s-%d' % (b, v)),
                args.clock_function, args.timeout) for b, v in jobs]
            answers = dict((job, f.result()) for job, f in zip(jobs, futures))
    print('instructions of each iteration (millions), one process of %d '
          'iterations; steady = from the first steady iteration on; +-%% = '
          'farthest of lowest and highest from the median; J, G = the JIT '
          'compiled or aborted, a major collection stepped (with '
          '--jit-events and PYPYLOG=gc-collect-step:-); quiet = neither'
          % args.iterations)
    print('%-12s %6s %-10s %7s %10s %10s %10s %6s %6s %6s %7s' % (
        'benchmark', 'size', 'vm', 'steady', 'median', 'lowest', 'highest',
        '+-%', 'JIT it', 'GC it', 'quiet%'))
    failures = []
    for b in benches:
        for v, (name, _) in enumerate(vms):
            answer, why = answers[(b, v)]
            if why:
                failures.append('%s on %s: %s' % (b, name, why))
                print('%-12s %6d %-10s %7s' % (b, size_of(b), name, 'FAILED'))
                continue
            counts, marks = answer
            first, med, lo, hi, pct, jit, gc, quiet = row(
                counts, marks, args.steady_fraction)
            print('%-12s %6d %-10s %7s %10.2f %10.2f %10.2f %6.1f %6d %6d '
                  '%7s' % (b, size_of(b), name, '%d-%d' % (first, len(counts)),
                           med / 1e6, lo / 1e6, hi / 1e6, pct, jit, gc,
                           '-' if quiet is None else '%.1f' % quiet))
            print('    ' + ' '.join('%.1f%s' % (c / 1e6, m)
                                    for c, m in zip(counts, marks)))
    for failure in failures:
        print('failed: ' + failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
