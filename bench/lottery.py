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
      [--scale 10] [--iterations 20] [-b bounce,list]

For each benchmark and path length, one process per VM; the figure is the
median ms of the iterations in the last half of that process.
"""
import argparse
import os
import shlex
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCHMARKS, BENCH_RE, HERE, default_size,  # noqa: E402
                     driver_line, quit_file)
from procs import run_process  # noqa: E402


def run_one(template, image, bench_dir, bench, iterations, size, tmp):
    driver = os.path.join(tmp, 'driver.st')
    with open(driver, 'w') as f:
        f.write(driver_line(bench, iterations, size))
    files = [os.path.join(bench_dir, 'runner.st'),
             os.path.join(bench_dir, BENCHMARKS[bench][0]), driver,
             quit_file(tmp)]
    cmd = template.format(image=shlex.quote(image),
                          files=' '.join(shlex.quote(p) for p in files))
    result = run_process(cmd, timeout=600)
    times = [int(m.group(3)) for m in BENCH_RE.finditer(result.text)
             if m.group(1) == bench]
    if len(times) < iterations:
        return None
    return statistics.median(times[iterations // 2:])


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
    args = ap.parse_args(argv)
    vms = [spec.split('=', 1) for spec in args.vm]
    benches = [b for b in BENCHMARKS if b != 'tinyBenchmarks'] \
        if args.benchmarks == 'all' else args.benchmarks.split(',')
    lengths = [int(n) for n in args.lengths.split(',')]
    image = os.path.abspath(args.image)
    print('median ms of the last %d iterations, one process per cell; '
          'columns: path length' % (args.iterations - args.iterations // 2))
    print('%-12s %-8s' % ('benchmark', 'vm') +
          ''.join('%6d' % n for n in lengths) + '   max/min')
    with tempfile.TemporaryDirectory(prefix='spylot-') as tmp:
        for bench in benches:
            size = max(1, int(round(default_size(bench) * args.scale)))
            for name, template in vms:
                row = []
                for n in lengths:
                    link = os.path.join(tmp, 'b' * n)
                    if not os.path.islink(link):
                        os.symlink(HERE, link)
                    row.append(run_one(template, image, link, bench,
                                       args.iterations, size, tmp))
                ok = [t for t in row if t is not None]
                spread = '%9.2f' % (max(ok) / max(min(ok), 1)) if ok else ''
                print('%-12s %-8s' % (bench, name) +
                      ''.join('%6s' % ('-' if t is None else '%g' % t)
                              for t in row) + spread)
                sys.stdout.flush()


if __name__ == '__main__':
    main()
