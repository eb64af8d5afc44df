#!/usr/bin/env python3
"""A stand-in VM for the harness tests: `fake_vm.py IMAGE FILE...`.

It reads the driver lines of the files (`EVAL BenchRunner run: C iterations:
N size: S` and `EVAL Transcript show: 'TINY i ' + 0 tinyBenchmarks`) and
prints what the runner protocol would, without running anything.  An
iteration of class C "takes" FAKE_MS_<C> ms per unit of size (default 1),
(per_unit x size ** FAKE_POWER_<C> with that set: work that is not linear
in the size), multiplied by (FAKE_WARMUP + 1 - i) for the first FAKE_WARMUP
iterations i (a JIT warming up), and by 1 + FAKE_EVERY_OTHER / 100 for
even iterations (a steady state that wanders); FAKE_JIT_AT=i,j and
FAKE_GC_AT=k print a JIT-EVENT line or a gc-collect-step section in those
iterations, as spy --jit-events and PYPYLOG=gc-collect-step:- would; FAKE_FAIL=<C> makes C's check fail; BenchTiny prints
1000000*k bytecodes/sec, where k is the number of benchmarks that ran before
in the process plus N for a pad line `EVAL (1 to: N) do: [...]` filed in
before it (a history effect the tests can see).  With FAKE_BY_PATH set, an
iteration takes as many ms more as the first file's path is long (the
luck bench/lottery.py looks for).  With FAKE_RUN_COUNTER=FILE, each run
adds the number in FILE (then counts it up) to every iteration's ms: a
machine whose reruns differ.  With FAKE_MARK=NAME:K and
PYPYLOG=jit-disableinlining:LOG, a run whose first file lies in a
directory named K characters or longer writes a log in which RPython
marked NAME.  With FAKE_SLEEP set, an iteration
sleeps its ms (a fraction too), prints the whole ms the sleep took, like
the image's clock, and writes each line as it goes; without it, the
output comes at the end (a VM that buffers its Transcript).

bench/tinycount.py's lines (`EVAL Transcript show: 'TINYCOUNT part ' +
((1 to: K) inject: 0 into: [:sum :i | sum + S benchmark + F benchFib])
printString`) print the answer; those whose rounds are timed (`TinyCount
timed: [...]`) also print a BENCH line per round for fake_valgrind.py:
S * 500 * (before + 1) ms for the sieve passes and sends * (before + 1)
ms for the benchFib sends, 1 and 1,000 instructions each at 1,000 per
ms.  FAKE_WRONG=<part> answers one more than right there.
"""
import os
import re
import sys
import time

RUN = re.compile(r"EVAL BenchRunner run: (\w+) iterations: (\d+) size: (\d+)")
TINY = re.compile(r"EVAL Transcript show: 'TINY (\d+) ' \+ 0 tinyBenchmarks")
PAD = re.compile(r"EVAL \(1 to: (\d+)\) do: ")
TINYCOUNT = re.compile(r"EVAL Transcript show: 'TINYCOUNT (\w+) ' \+ "
                       r"\(\(1 to: (\d+)\) inject: 0 into: "
                       r"\[:sum :i \| sum(.*)\]\) printString$")
NAMES = {'BenchTiny': 'tinyBenchmarks'}


def bench_name(cls):
    return NAMES.get(cls, cls[len('Bench'):].lower())


def next_run(counter):
    """The number in the counter file (0 at first), which is counted up."""
    if not counter:
        return 0
    try:
        with open(counter) as f:
            n = int(f.read() or '0')
    except OSError:
        n = 0
    with open(counter, 'w') as f:
        f.write(str(n + 1))
    return n


def bench_fib(n):
    """The image's benchFib: the number of sends it makes."""
    return 1 if n < 2 else bench_fib(n - 1) + bench_fib(n - 2) + 1


def tinycount(m, before):
    """Prints the answer of one TINYCOUNT line and what it "cost"."""
    part, rounds, body = m.group(1), int(m.group(2)), m.group(3)
    answer, ms = 0, 0
    for arg, selector in re.findall(r'(\d+) (benchmark|benchFib)', body):
        if selector == 'benchmark':
            answer += 1028
            ms += int(arg) * 500 * (before + 1)
        else:
            answer += bench_fib(int(arg))
            ms += bench_fib(int(arg)) * (before + 1)
    if os.environ.get('FAKE_WRONG') == part:
        answer += 1
    print('TINYCOUNT %s %d' % (part, rounds * answer))
    if 'TinyCount timed:' in body:
        for i in range(1, rounds + 1):
            print('BENCH tinycount %d %d' % (i, ms))


def write_marks(first_file):
    spec = os.environ.get('FAKE_MARK')
    log = os.environ.get('PYPYLOG', '')
    if not spec or not log.startswith('jit-disableinlining:'):
        return
    name, least = spec.rsplit(':', 1)
    if len(os.path.basename(os.path.dirname(first_file))) < int(least):
        return
    with open(log.split(':', 1)[1], 'w') as f:
        f.write('[1a2b] {jit-disableinlining\n'
                'disabled inlining %s @0 PushArgument 0\n'
                '[1a2c] jit-disableinlining}\n' % name)


def main(argv):
    if not os.path.exists(argv[1]):
        sys.stderr.write('fake_vm: no image %s\n' % argv[1])
        return 2
    print('(System started)')
    before = 0
    warmup = int(os.environ.get('FAKE_WARMUP', '0'))
    extra = next_run(os.environ.get('FAKE_RUN_COUNTER'))
    write_marks(argv[2] if len(argv) > 2 else '')
    for path in argv[2:]:
        with open(path) as f:
            lines = f.read().splitlines()
        for line in lines:
            m = PAD.match(line)
            if m:
                before += int(m.group(1))
                continue
            m = TINYCOUNT.match(line)
            if m:
                tinycount(m, before)
                continue
            m = TINY.match(line)
            if m:
                print('TINY %s %d bytecodes/sec; %d sends/sec'
                      % (m.group(1), 1000000 * (before + 1), 100000 * (before + 1)))
                continue
            m = RUN.match(line)
            if not m:
                continue
            cls, n, size = m.group(1), int(m.group(2)), int(m.group(3))
            name = bench_name(cls)
            per_unit = float(os.environ.get('FAKE_MS_' + cls, '1'))
            power = float(os.environ.get('FAKE_POWER_' + cls, '1'))
            sleep = bool(os.environ.get('FAKE_SLEEP'))
            print('BENCH-START %s %d %d' % (name, size, n), flush=sleep)
            for i in range(1, n + 1):
                ms = per_unit * size ** power
                if i <= warmup:
                    ms = ms * (warmup + 1 - i)
                if i % 2 == 0:
                    ms *= 1 + float(os.environ.get('FAKE_EVERY_OTHER', '0')) / 100
                ms += extra
                if os.environ.get('FAKE_BY_PATH'):
                    # luck: the first file's path length adds ms
                    ms += len(argv[2])
                if sleep:
                    # the VM's own clock: whole ms of what the sleep took
                    t0 = time.monotonic()
                    time.sleep(ms / 1000.0)
                    ms = (time.monotonic() - t0) * 1000.0
                if str(i) in os.environ.get('FAKE_JIT_AT', '').split(','):
                    print('JIT-EVENT compile bridge 10 %d.0' % i)
                if str(i) in os.environ.get('FAKE_GC_AT', '').split(','):
                    print('[1a] {gc-collect-step\n[1b] gc-collect-step}')
                print('BENCH %s %d %d' % (name, i, int(ms)), flush=sleep)
                if cls == 'BenchTiny':
                    print('TINY %d %d bytecodes/sec; %d sends/sec'
                          % (i, 1000000 * (before + 1), 100000 * (before + 1)))
            if os.environ.get('FAKE_FAIL') == cls:
                print('BENCH-FAIL %s 1 nil' % name)
            else:
                print('BENCH-OK %s' % name)
            before += 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
