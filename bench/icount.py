#!/usr/bin/env python3
"""Instructions per steady iteration, counted by valgrind: a speed reading
that machine noise does not touch.

On a shared machine the wall time of one iteration can swing by half from
run to run, while the instructions a VM executes for it do not depend on
the machine at all.  Each benchmark runs twice per VM under
`valgrind --tool=cachegrind --cache-sim=no`, for N1 and N2 iterations
(default 10 and 30); the difference of the two instruction totals over
N2 - N1 is what one iteration past the first N1 costs: start-up, file-in
and warm-up cancel out, and a compile after iteration N1 counts in (it is
part of the steady cost).  JIT code is counted like any other code.

  python3 bench/icount.py --image IMAGE --vm a='./spy {image} {files}' \\
      --vm b='OTHER {image} {files}' [--baseline a] [-b list,permute] \\
      [--scale 10] [--size list=300] [--iterations 10,30] [--jobs 2] \\
      [--lengths 1,5,9,13]

The count is exact for one compile history, but the history is a draw:
the length of the files' paths changes what the VM allocates while it
files them in, so when the JIT's counters decay and which traces it
compiles (bench/lottery.py).  With --lengths the benchmark files are
reached through directory names of those lengths, one pair of processes
per length, and a cell shows the median over the lengths with the lowest
and highest count; the ratios are of the medians.  Compare two VMs over
several draws, not one.

Instructions are not time: cache misses, branch mispredictions and
waits cost cycles without instructions.  Use it to compare what two VMs
execute (a change to the JIT's choices, an operation fewer per send), and
the harness to time them.

A VM template may start with `NAME=value` words (the environment); the
valgrind command goes after them.  The processes run with the largest
stack limit the shell allows, so that spy does not re-execute itself
(spyvm/hoststack.py), which valgrind cannot follow.
"""
import argparse
import os
import re
import shlex
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCHMARKS, BENCH_RE, HERE, bench_command,  # noqa: E402
                     parse_kv, scaled_size)
from procs import run_process  # noqa: E402

ENV_WORDS = re.compile(r'^\s*((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)')
SUMMARY = re.compile(r'^summary:\s+(\d+)', re.M)


def with_valgrind(template, valgrind, out_file, tool='cachegrind',
                  options='--cache-sim=no'):
    """The template with valgrind inserted after its leading NAME=value
    words, under the shell's largest stack limit."""
    m = ENV_WORDS.match(template)
    env, rest = m.group(1), template[m.end():]
    return ('ulimit -s "$(ulimit -H -s)"; %s%s --tool=%s %s '
            '--%s-out-file=%s %s'
            % (env, valgrind, tool, options, tool, shlex.quote(out_file),
               rest))


def parse_vms(ap, specs):
    """[name, template] of each --vm NAME=TEMPLATE, or the parser's error."""
    vms = [spec.split('=', 1) for spec in specs]
    if any(len(v) != 2 for v in vms):
        ap.error('--vm takes NAME=TEMPLATE')
    return vms


def read_total(out_file):
    """The instruction total of a cachegrind output file, or None."""
    try:
        with open(out_file) as f:
            m = SUMMARY.search(f.read())
    except OSError:
        return None
    return int(m.group(1)) if m else None


def count(template, valgrind, image, bench_dir, bench, iterations, size,
          tmp, timeout):
    """(instruction total, None) of one process of `iterations`, or
    (None, why) when it did not run them all or its check failed."""
    os.makedirs(tmp, exist_ok=True)
    cmd = bench_command(template, image, tmp, bench_dir, bench, iterations,
                        size)
    out_file = os.path.join(tmp, 'cachegrind.out')
    result = run_process(with_valgrind(cmd, valgrind, out_file), timeout)
    done = [m for m in BENCH_RE.finditer(result.text) if m.group(1) == bench]
    if len(done) < iterations or 'BENCH-OK %s' % bench not in result.text:
        tail = result.text.strip().splitlines()[-1:] or ['no output']
        return None, 'rc=%s, %d of %d iterations: %s' % (
            result.rc, len(done), iterations, tail[0][:200])
    total = read_total(out_file)
    if total is None:
        return None, 'no cachegrind summary in %s' % out_file
    return total, None


def per_iteration(totals, n1, n2):
    """Instructions per iteration from the totals of n1 and n2 iterations."""
    return (totals[1] - totals[0]) / float(n2 - n1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--image', required=True)
    ap.add_argument('--vm', action='append', required=True,
                    metavar='NAME=TEMPLATE')
    ap.add_argument('--baseline', help='the VM the ratios are over '
                    '(default: the first)')
    ap.add_argument('--benchmarks', '-b', default='all')
    ap.add_argument('--scale', type=float, default=10.0,
                    help='sizes are the benchmarks\' defaults times this')
    ap.add_argument('--size', action='append', default=[],
                    metavar='BENCH=N', help='a size for one benchmark')
    ap.add_argument('--iterations', default='10,30', metavar='N1,N2')
    ap.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1,
                    help='processes at once (their counts do not '
                    'depend on it)')
    ap.add_argument('--lengths', metavar='N,N,...',
                    help='draws: reach the benchmark files through '
                    'directory names of these lengths')
    ap.add_argument('--valgrind', default='valgrind')
    ap.add_argument('--timeout', type=float, default=3600)
    args = ap.parse_args(argv)
    vms = parse_vms(ap, args.vm)
    names = [name for name, _ in vms]
    baseline = args.baseline or names[0]
    if baseline not in names:
        ap.error('--baseline %s is not a --vm' % baseline)
    try:
        n1, n2 = [int(n) for n in args.iterations.split(',')]
    except ValueError:
        ap.error('--iterations takes N1,N2')
    if not 0 < n1 < n2:
        ap.error('--iterations needs 0 < N1 < N2')
    benches = [b for b in BENCHMARKS if b != 'tinyBenchmarks'] \
        if args.benchmarks == 'all' else args.benchmarks.split(',')
    unknown = [b for b in benches if b not in BENCHMARKS]
    if unknown:
        ap.error('unknown benchmark %s' % ', '.join(unknown))
    sizes = dict((b, int(n)) for b, n in parse_kv(args.size, '--size').items())
    image = os.path.abspath(args.image)

    def size_of(bench):
        if bench in sizes:
            return sizes[bench]
        return scaled_size(bench, args.scale)

    lengths = [int(n) for n in args.lengths.split(',')] \
        if args.lengths else [None]
    with tempfile.TemporaryDirectory(prefix='spyicount-') as tmp:
        dirs = {}
        for n in lengths:
            dirs[n] = HERE
            if n is not None:
                dirs[n] = os.path.join(tmp, 'b' * n)
                os.symlink(HERE, dirs[n])
        jobs = [(b, v, n, it) for b in benches for v in range(len(vms))
                for n in lengths for it in (n1, n2)]
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(
                count, vms[v][1], args.valgrind, image, dirs[n], b, it,
                size_of(b), os.path.join(tmp, 'run-%s-%d-%s-%d' % (b, v, n, it)),
                args.timeout) for b, v, n, it in jobs]
            answers = dict(((b, v, n, it), f.result())
                           for (b, v, n, it), f in zip(jobs, futures))
    print('instructions per iteration (millions), iterations %d-%d over '
          'the first %d%s; ratio = %s\'s over the VM\'s (higher: fewer '
          'instructions)' % (n1 + 1, n2, n1,
                             '' if lengths == [None] else
                             ', median (lowest-highest) of path lengths %s'
                             % args.lengths, baseline))
    width = 12 if lengths == [None] else 24
    print('%-12s %6s' % ('benchmark', 'size') +
          ''.join('%*s' % (width, name) for name in names) +
          ''.join('%10s' % ('x ' + name) for name in names
                  if name != baseline))
    failures = []
    for b in benches:
        medians, cells = {}, {}
        for v, name in enumerate(names):
            draws = []
            for n in lengths:
                got = [answers[(b, v, n, it)] for it in (n1, n2)]
                why = [w for _, w in got if w]
                if why:
                    failures.append('%s on %s%s: %s' % (
                        b, name, '' if n is None else ' (length %d)' % n,
                        why[0]))
                    break
                draws.append(per_iteration([t for t, _ in got], n1, n2))
            else:
                medians[name] = statistics.median(draws)
                cells[name] = '%.2f' % (medians[name] / 1e6)
                if len(draws) > 1:
                    cells[name] += ' (%.2f-%.2f)' % (min(draws) / 1e6,
                                                     max(draws) / 1e6)
        line = '%-12s %6d' % (b, size_of(b))
        line += ''.join('%*s' % (width, cells.get(name, 'FAILED'))
                        for name in names)
        for name in names:
            if name == baseline:
                continue
            ok = name in medians and medians.get(baseline, 0) > 0 \
                and medians[name] > 0
            line += '%10s' % ('%.3f' % (medians[baseline] / medians[name])
                              if ok else '-')
        print(line)
    for failure in failures:
        print('failed: ' + failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
