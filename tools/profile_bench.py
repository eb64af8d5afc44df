#!/usr/bin/env python3
"""Profile one benchmark of the suite with `spy --profile` and report it.

  python3 tools/profile_bench.py BENCH [--spy ./spy] [--image IMG]
      [--size N] [--iterations N] [--out DIR] [--top N] [--jit-perf [--ops]]

Writes DIR/BENCH.prof (vmprof format), DIR/BENCH.folded and the flame graph
DIR/BENCH.svg of the benchmark's iterations (`Bench...>>run:` and below),
and prints the hottest methods (tools/profile_report.py) and the iteration
times (--compare: also without the profiler).

--jit-perf profiles machine code instead: the run goes under `perf record`
with PYPYLOG=jit-log-opt,jit-backend-addr (DIR/BENCH.perf, DIR/BENCH.jitlog),
and tools/jitperf.py names the samples by JIT loop and bridge (--ops: by
operation).  It needs Linux perf.
"""
import argparse
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'bench'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import harness  # noqa: E402
import jitperf  # noqa: E402
import profile_report  # noqa: E402
from procs import run_process  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('bench')
    ap.add_argument('--spy', default=os.path.join(ROOT, 'spy'))
    ap.add_argument('--image', default=os.path.join(ROOT, 'images', 'spy.image'))
    ap.add_argument('--size', type=int, default=0, help='0 = the default size')
    ap.add_argument('--iterations', type=int, default=10)
    ap.add_argument('--out', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--top', type=int, default=15)
    ap.add_argument('--compare', action='store_true',
                    help='also run without --profile and print both times')
    ap.add_argument('--jit-perf', action='store_true',
                    help='perf record the JIT code (tools/jitperf.py)')
    ap.add_argument('--ops', action='store_true',
                    help='with --jit-perf: shares by JIT operation')
    args = ap.parse_args(argv)
    bench = harness.bench_list(args.bench)[0]
    os.makedirs(args.out, exist_ok=True)
    if args.jit_perf:
        return jit_perf(args, bench)
    prof = os.path.join(args.out, bench + '.prof')
    with tempfile.TemporaryDirectory(prefix='spyprof-') as tmp:
        files = harness.write_driver(tmp, bench, args.iterations, args.size)
        if not run(args, bench, files, '%s --profile %s' % (args.spy, prof),
                   'with --profile'):
            return 1
        if args.compare:
            run(args, bench, files, args.spy, 'without')
    base = os.path.join(args.out, bench)
    return profile_report.main([prof, '--top', str(args.top), '--focus',
                                harness.BENCHMARKS[bench][1] + '>>run:',
                                '--folded', base + '.folded', '--svg', base + '.svg'])


def run(args, bench, files, command, label, env=None, hint=''):
    """Run `command IMAGE files` and print its iteration times; False,
    with its output on stderr, when it failed."""
    res = run_process(harness.expand(command + ' {image} {files}',
                                     os.path.abspath(args.image), files),
                      3600, env=env)
    times = harness.parse_output(res.text, bench)[0]
    if res.rc != 0 or not times:
        sys.stderr.write('profile_bench: the run %s failed (status %s)%s:'
                         '\n%s\n' % (label, res.rc, hint, res.text[-2000:]))
        return False
    print('%s %s: %.2f s, iterations (ms): %s'
          % (bench, label, res.seconds, ' '.join(map(str, times))))
    return True


def jit_perf(args, bench):
    base = os.path.join(args.out, bench)
    log, data = base + '.jitlog', base + '.perf'
    env = dict(os.environ, PYPYLOG='jit-log-opt,jit-backend-addr:' + log)
    with tempfile.TemporaryDirectory(prefix='spyperf-') as tmp:
        files = harness.write_driver(tmp, bench, args.iterations, args.size)
        if not run(args, bench, files, 'perf record -q -e cpu-clock -o %s %s'
                   % (data, args.spy), 'under perf', env,
                   '; is perf installed and allowed to sample?'):
            return 1
    argv = [log, data, '--top', str(args.top)]
    return jitperf.main(argv + (['--ops'] if args.ops else []))


if __name__ == '__main__':
    sys.exit(main())
