#!/usr/bin/env python3
"""tinyBenchmarks' two halves at a fixed amount of work, counted by
callgrind under each history: whether history changes the code the JIT
runs, with the machine's noise taken out.

`0 tinyBenchmarks` adapts its work to the clock (it doubles the sieve's
passes and raises benchFib's argument until each half takes a second), so
no two runs do the same work.  Here the halves run at fixed sizes
instead.  One process per VM, history and setup files in the history's
files (and, for setups past the first, harness.py's pad line, as
`harness.py --tiny-histories --setups` does), then runs W rounds of
`S benchmark. F benchFib` (the JIT compiles both), then K rounds of
`S benchmark` and K of `F benchFib`, each inside `Object
millisecondsToRun:`, as tinyBenchmarks times them.  The process runs
under `valgrind --tool=callgrind --dump-before=spy_monotonic_ms` (see
itercount.py), so each timed round's instructions are counted apart from
everything else, in one process: the history before it need not do the
same work twice.  The K sieve rounds over K * S * 500,000 are the
instructions per bytecode (tinyBenchmarks' own unit: 500,000 bytecodes
per pass); the K benchFib rounds over K times the sends of `F benchFib`
are the instructions per send.  Fewer instructions is not the same as
less time, but when the counts of two histories agree, a difference in
their tinyBenchmarks figures is the machine's, not the JIT's.

  python3 bench/tinycount.py --image IMAGE --vm spy='./spy {image} {files}' \\
      [--vm other=...] [--setups 3] [--sieve 16] [--fib 30] [--warm 20] \\
      [--rounds 5] [--jobs 2]

Histories are harness.py's, but for "as in make bench": there
tinyBenchmarks runs inside BenchRunner's timed block, which runs it whole,
clock and all; its nearest fixed-work history is "after runner.st".
"after the suite" runs every suite benchmark once at its default size
times --scale (default 1) first.
"""
import argparse
import os
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCHMARKS, HERE, TINY, expand, pad_file,  # noqa: E402
                     quit_file, scaled_size, suite_once_files)
from icount import parse_vms, with_valgrind  # noqa: E402
from itercount import iterations_of, read_parts  # noqa: E402
from procs import run_process  # noqa: E402

HISTORIES = ['alone', 'after runner.st', 'after the suite']
# tinyBenchmarks' unit: it reports n1 * 500,000 bytecodes for n1 passes
BYTECODES_PER_PASS = 500000
# the sieve's answer (primes below 8,192 in Squeak's sieve)
SIEVE_COUNT = 1028


def bench_fib(n):
    """What `n benchFib` answers: the number of benchFib sends it made."""
    a, b = 1, 1                       # benchFib of n - 1 and n
    if n < 2:
        return 1
    for _ in range(n - 1):
        a, b = b, a + b + 1
    return b


def work_file(tmpdir, sizes):
    """The file that does the fixed work and prints each answer on a
    TINYCOUNT line, to be checked.  TinyCount class>>timed: runs a block
    inside `Object millisecondsToRun:` and answers the block's value."""
    s, f, warm, rounds = sizes
    path = os.path.join(tmpdir, 'tinycount.st')
    with open(path, 'w') as out:
        out.write(
            "EVAL Class addNewClass: (Object subclass: 'TinyCount' "
            "variables: '' classVariables: 'Answer')\n\n"
            "META TinyCount\ntimed: aBlock\n"
            "  Object millisecondsToRun: [ Answer <- aBlock value ].\n"
            "  ^ Answer\n!\n\n")
        out.write("EVAL Transcript show: 'TINYCOUNT warm ' + ((1 to: %d) "
                  "inject: 0 into: [:sum :i | sum + %d benchmark + %d "
                  "benchFib]) printString\n" % (warm, s, f))
        out.write("EVAL Transcript show: 'TINYCOUNT sieve ' + ((1 to: %d) "
                  "inject: 0 into: [:sum :i | sum + (TinyCount timed: "
                  "[%d benchmark])]) printString\n" % (rounds, s))
        out.write("EVAL Transcript show: 'TINYCOUNT fib ' + ((1 to: %d) "
                  "inject: 0 into: [:sum :i | sum + (TinyCount timed: "
                  "[%d benchFib])]) printString\n" % (rounds, f))
    return path


def expected_lines(sizes):
    s, f, warm, rounds = sizes
    return ['TINYCOUNT warm %d' % (warm * (SIEVE_COUNT + bench_fib(f))),
            'TINYCOUNT sieve %d' % (rounds * SIEVE_COUNT),
            'TINYCOUNT fib %d' % (rounds * bench_fib(f))]


def history_files(tmpdir, history, suite_sizes):
    """The files a history files in before the work."""
    if history == 'alone':
        return []
    files = [os.path.join(HERE, 'runner.st')]
    if history == 'after the suite':
        files += suite_once_files(tmpdir, suite_sizes)
    return files


def count(template, valgrind, image, files, sizes, out_file, timeout):
    """((instructions per bytecode, per send), None), or (None, why) when
    the process did not print the expected answers or callgrind wrote too
    few parts."""
    cmd = with_valgrind(expand(template, image, files), valgrind, out_file,
                        tool='callgrind',
                        options='--dump-before=spy_monotonic_ms')
    result = run_process(cmd, timeout)
    got = [line[line.index('TINYCOUNT'):].strip()
           for line in result.text.splitlines() if 'TINYCOUNT' in line]
    expected = expected_lines(sizes)
    if got != expected:
        tail = result.text.strip().splitlines()[-1:] or ['no output']
        return None, 'rc=%s, answers %s, expected %s: %s' % (
            result.rc, got, expected, tail[0][:200])
    s, f, _, rounds = sizes
    timed = iterations_of(read_parts(out_file), 2 * rounds)
    if timed is None:
        return None, 'callgrind wrote too few parts in %s' % out_file
    return ((sum(timed[:rounds]) / float(rounds * s * BYTECODES_PER_PASS),
             sum(timed[rounds:]) / float(rounds * bench_fib(f))), None)


def cell(values):
    """Median, and the range when there are several setups."""
    text = '%.3f' % statistics.median(values)
    if len(values) > 1:
        text += ' (%.3f-%.3f)' % (min(values), max(values))
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--image', required=True)
    ap.add_argument('--vm', action='append', required=True,
                    metavar='NAME=TEMPLATE')
    ap.add_argument('--setups', type=int, default=1,
                    help='draws of the history lottery per history: setup '
                    'i > 0 files in harness.py\'s pad line before the work')
    ap.add_argument('--sieve', type=int, default=16, metavar='S',
                    help='passes of the sieve per round (default 16)')
    ap.add_argument('--fib', type=int, default=30, metavar='F',
                    help='benchFib\'s argument (default 30)')
    ap.add_argument('--warm', type=int, default=20, metavar='W',
                    help='warm-up rounds of both halves (default 20; '
                    'tinyBenchmarks\' 5th run has run benchFib far longer)')
    ap.add_argument('--rounds', type=int, default=5, metavar='K',
                    help='counted rounds of each half (default 5)')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='"after the suite": sizes are the defaults times '
                    'this')
    ap.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--valgrind', default='valgrind')
    ap.add_argument('--timeout', type=float, default=3600)
    args = ap.parse_args(argv)
    vms = parse_vms(ap, args.vm)
    if min(args.setups, args.sieve, args.fib, args.warm, args.rounds) < 1:
        ap.error('--setups, --sieve, --fib, --warm and --rounds must be '
                 'at least 1')
    sizes = (args.sieve, args.fib, args.warm, args.rounds)
    suite = [(b, scaled_size(b, args.scale)) for b in BENCHMARKS if b != TINY]
    image = os.path.abspath(args.image)
    jobs = [(v, h, setup) for v in range(len(vms)) for h in HISTORIES
            for setup in range(args.setups)]
    with tempfile.TemporaryDirectory(prefix='spytinycount-') as tmp:
        work = work_file(tmp, sizes)
        prefixes = dict((h, history_files(tmp, h, suite)) for h in HISTORIES)
        pads = dict((setup, [pad_file(tmp, setup)] if setup else [])
                    for setup in range(args.setups))
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(
                count, vms[v][1], args.valgrind, image,
                prefixes[h] + pads[setup] + [work, quit_file(tmp)], sizes,
                os.path.join(tmp, 'cg-%d-%d-%d.out'
                             % (v, HISTORIES.index(h), setup)),
                args.timeout) for v, h, setup in jobs]
            answers = dict((job, f.result()) for job, f in zip(jobs, futures))
    print('instructions per bytecode and per send of tinyBenchmarks\' '
          'halves at fixed work (%d sieve passes, %d benchFib, %d rounds '
          'counted after %d)%s' % (
              args.sieve, args.fib, args.rounds, args.warm,
              '' if args.setups == 1 else
              '; median (lowest-highest) of %d setups' % args.setups))
    failures = []
    for v, (name, _) in enumerate(vms):
        print('%s:' % name)
        print('  %-18s %26s %26s' % ('history', 'per bytecode', 'per send'))
        medians = {}
        for h in HISTORIES:
            units = []
            for setup in range(args.setups):
                unit, why = answers[(v, h, setup)]
                if why:
                    failures.append('%s, %s, setup %d: %s'
                                    % (name, h, setup, why))
                    continue
                units.append(unit)
            if not units:
                print('  %-18s %26s %26s' % (h, 'FAILED', 'FAILED'))
                continue
            per_bc, per_send = [u[0] for u in units], [u[1] for u in units]
            medians[h] = (statistics.median(per_bc),
                          statistics.median(per_send))
            print('  %-18s %26s %26s' % (h, cell(per_bc), cell(per_send)))
        if len(medians) == len(HISTORIES):
            # as speeds: the worst history's over the best's (fewer
            # instructions, more speed)
            ratios = ['%.2f' % (min(m[i] for m in medians.values())
                                / max(m[i] for m in medians.values()))
                      for i in (0, 1)]
            print('  %-18s %26s %26s' % ('worst/best', ratios[0], ratios[1]))
    for failure in failures:
        print('failed: ' + failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
