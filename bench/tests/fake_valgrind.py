#!/usr/bin/env python3
"""A stand-in for `valgrind --tool=cachegrind` in bench/icount.py's tests:
`fake_valgrind.py [--option ...] COMMAND ...`.

It runs COMMAND (the fake VM), passes its output on, and writes the file
named by --cachegrind-out-file= with a `summary:` line, as cachegrind
does: 5,000,000 instructions plus 1,000 per ms of every BENCH line, so a
test can tell what an iteration "cost".  FAKE_NO_SUMMARY leaves the file
without that line (a cachegrind that failed).

With --callgrind-out-file= it stands in for `callgrind --dump-before=F`
and writes one part per clock read as callgrind would: 5,000,000 before
the first iteration, each iteration's 1,000 per ms, 7,000 for each gap
between two iterations and 3,000 for the end, the last part in the named
file and the earlier ones in FILE.1, FILE.2, ...  FAKE_NO_DUMPS writes
only the last part (a VM that never called F).
"""
import os
import re
import subprocess
import sys

BENCH = re.compile(r'^BENCH \S+ \d+ (\d+)$', re.M)


def write_parts(out_file, stdout):
    """callgrind's dumps at every clock read of the runner."""
    parts = [5000000]
    for ms in BENCH.findall(stdout):
        parts += [1000 * int(ms), 7000]
    parts[-1] = 3000
    if os.environ.get('FAKE_NO_DUMPS'):
        parts = [sum(parts)]
    for n, total in enumerate(parts, 1):
        path = out_file if n == len(parts) else '%s.%d' % (out_file, n)
        with open(path, 'w') as f:
            f.write('version: 1\ncreator: fake\npart: %d\n'
                    'desc: Trigger: fake\nevents: Ir\nsummary: %d\n'
                    'totals: %d\n' % (n, total, total))


def main(argv):
    out_file, calls_file, i = None, None, 1
    while i < len(argv) and argv[i].startswith('--'):
        if argv[i].startswith('--cachegrind-out-file='):
            out_file = argv[i].split('=', 1)[1]
        if argv[i].startswith('--callgrind-out-file='):
            calls_file = argv[i].split('=', 1)[1]
        i += 1
    proc = subprocess.run(argv[i:], stdout=subprocess.PIPE,
                          universal_newlines=True)
    sys.stdout.write(proc.stdout)
    if calls_file:
        write_parts(calls_file, proc.stdout)
        return proc.returncode
    total = 5000000 + 1000 * sum(int(ms) for ms in BENCH.findall(proc.stdout))
    with open(out_file, 'w') as f:
        f.write('desc: --cache-sim=no\ncmd: %s\nevents: Ir\n' % ' '.join(argv[i:]))
        if not os.environ.get('FAKE_NO_SUMMARY'):
            f.write('summary: %d\n' % total)
    return proc.returncode


if __name__ == '__main__':
    sys.exit(main(sys.argv))
