#!/usr/bin/env python3
"""How much of a VM's speed is luck: each benchmark, run with the benchmark
files under directory paths of different lengths, per VM.

The length of a file's path changes nothing a benchmark computes, only how
much the VM allocates while it files in, and so when the GC's minor
collections come, when the JIT's counters decay and which iteration a
loop's counter crosses the threshold on.  A VM whose compiled code depends
on that shows different speeds in different columns
(docs/architecture.md, "Rare branches in loop traces").

  python3 bench/lottery.py --image IMAGE --vm new='./spy {image} {files}' \\
      --vm old='OLD {image} {files}' [--lengths 1,3,5,7,9,11,12,13] \\
      [--scale 10] [--iterations 20] [-b bounce,list] [--repeats 3] [--marks]

For each benchmark and path length, one process per VM; the figure is the
median ms of the iterations in the last half of that process.  With
--repeats N every cell runs N processes (the rounds interleaved) and shows
their median, and the column `rerun` shows the largest slowest/fastest
ratio among one row's cells: what the same path draws, the machine's noise
and the VM's own.  A max/min well above it is the path's doing.  With
--marks every process runs with PYPYLOG=jit-disableinlining, and a line
under each row names the methods RPython marked JC_DONT_TRACE_HERE (after
a trace grew past trace_limit) and in how many of the row's processes: a
reading no machine noise touches.
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCHMARKS, BENCH_RE, HERE, bench_command,  # noqa: E402
                     scaled_size)
from procs import run_process  # noqa: E402


def run_one(template, image, bench_dir, bench, iterations, size, tmp,
            marks=False):
    """One process: (median ms of its last half or None, the methods
    RPython marked, or None without `marks`)."""
    cmd = bench_command(template, image, tmp, bench_dir, bench, iterations,
                        size)
    env = log = None
    if marks:
        log = os.path.join(tmp, 'jit.log')
        if os.path.exists(log):
            os.remove(log)
        env = dict(os.environ, PYPYLOG='jit-disableinlining:' + log)
    result = run_process(cmd, timeout=600, env=env)
    marked = read_marks(log) if marks else None
    times = [int(m.group(3)) for m in BENCH_RE.finditer(result.text)
             if m.group(1) == bench]
    if len(times) < iterations:
        return None, marked
    return statistics.median(times[iterations // 2:]), marked


MARK = 'disabled inlining '


def read_marks(log):
    """The methods a PYPYLOG=jit-disableinlining log names, in order
    (`disabled inlining Class>>selector @pc Bytecode`)."""
    marked = []
    try:
        with open(log, errors='replace') as f:
            for line in f:
                if MARK in line:
                    name = line.split(MARK, 1)[1].split(' @', 1)[0].strip()
                    if name not in marked:
                        marked.append(name)
    except OSError:
        pass
    return marked


def marks_line(cells, lengths):
    """`marked: M in k/n` for each method marked in some of a row's
    processes (cells: one list of processes' mark lists per path length
    in `lengths`), with the lengths it was marked at unless all."""
    runs = [m for cell in cells for m in cell]
    names = []
    for marked in runs:
        names.extend(n for n in marked if n not in names)
    if not names:
        return '  marked: nothing in %d process%s' % (
            len(runs), '' if len(runs) == 1 else 'es')
    parts = []
    for n in names:
        part = '%s in %d/%d' % (n, sum(1 for m in runs if n in m), len(runs))
        at = [str(length) for length, cell in zip(lengths, cells)
              if any(n in m for m in cell)]
        if len(at) < len(cells):
            part += ' (length %s)' % ','.join(at)
        parts.append(part)
    return '  marked: ' + ', '.join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--image', required=True)
    ap.add_argument('--vm', action='append', required=True,
                    metavar='NAME=TEMPLATE')
    ap.add_argument('--benchmarks', '-b', default='all')
    ap.add_argument('--lengths', default='1,3,5,7,9,11,12,13',
                    help='lengths of the directory name the files are under')
    ap.add_argument('--scale', type=float, default=10.0)
    ap.add_argument('--iterations', '-n', type=int, default=20)
    ap.add_argument('--repeats', '-r', type=int, default=1,
                    help='processes per VM and path length (the median '
                    'is shown, and the column rerun)')
    ap.add_argument('--marks', action='store_true',
                    help='name the methods RPython marked '
                    '(PYPYLOG=jit-disableinlining)')
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error('--repeats must be at least 1')
    vms = [spec.split('=', 1) for spec in args.vm]
    benches = [b for b in BENCHMARKS if b != 'tinyBenchmarks'] \
        if args.benchmarks == 'all' else args.benchmarks.split(',')
    lengths = [int(n) for n in args.lengths.split(',')]
    image = os.path.abspath(args.image)
    print('median ms of the last %d iterations, %s per cell; '
          'columns: path length' % (
              args.iterations - args.iterations // 2,
              'one process' if args.repeats == 1 else
              'the median of %d processes' % args.repeats))
    print('%-12s %-8s' % ('benchmark', 'vm') +
          ''.join('%8d' % n for n in lengths) + '   max/min' +
          ('    rerun' if args.repeats > 1 else ''))
    with tempfile.TemporaryDirectory(prefix='spylot-') as tmp:
        for bench in benches:
            size = scaled_size(bench, args.scale)
            # [vm][length] -> the processes' (ms, marks)
            runs = [[[] for _ in lengths] for _ in vms]
            for _ in range(args.repeats):
                for v, (name, template) in enumerate(vms):
                    for i, n in enumerate(lengths):
                        link = os.path.join(tmp, 'b' * n)
                        if not os.path.islink(link):
                            os.symlink(HERE, link)
                        runs[v][i].append(run_one(
                            template, image, link, bench, args.iterations,
                            size, tmp, args.marks))
            for v, (name, _) in enumerate(vms):
                print(row_line(bench, name, runs[v], args.repeats))
                if args.marks:
                    print(marks_line([[m for _, m in cell]
                                      for cell in runs[v]], lengths))
                sys.stdout.flush()


def row_line(bench, name, cells, repeats):
    row = []
    rerun = 0.0
    for cell in cells:
        ok = [t for t, _ in cell if t is not None]
        row.append(statistics.median(ok) if len(ok) == len(cell) else None)
        if len(ok) > 1:
            rerun = max(rerun, max(ok) / max(min(ok), 1))
    ok = [t for t in row if t is not None]
    spread = '%9.2f' % (max(ok) / max(min(ok), 1)) if ok else ''
    line = '%-12s %-8s' % (bench, name) + ''.join(
        '%8s' % ('-' if t is None else '%g' % t) for t in row) + spread
    if repeats > 1:
        line += '%9.2f' % rerun
    return line


if __name__ == '__main__':
    main()
