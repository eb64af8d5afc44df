#!/usr/bin/env python3
"""A stand-in for `valgrind --tool=cachegrind` in bench/icount.py's tests:
`fake_valgrind.py [--option ...] COMMAND ...`.

It runs COMMAND (the fake VM), passes its output on, and writes the file
named by --cachegrind-out-file= with a `summary:` line, as cachegrind
does: 5,000,000 instructions plus 1,000 per ms of every BENCH line, so a
test can tell what an iteration "cost".  FAKE_NO_SUMMARY leaves the file
without that line (a cachegrind that failed).
"""
import os
import re
import subprocess
import sys

BENCH = re.compile(r'^BENCH \S+ \d+ (\d+)$', re.M)


def main(argv):
    out_file, i = None, 1
    while i < len(argv) and argv[i].startswith('--'):
        if argv[i].startswith('--cachegrind-out-file='):
            out_file = argv[i].split('=', 1)[1]
        i += 1
    proc = subprocess.run(argv[i:], stdout=subprocess.PIPE,
                          universal_newlines=True)
    sys.stdout.write(proc.stdout)
    total = 5000000 + 1000 * sum(int(ms) for ms in BENCH.findall(proc.stdout))
    with open(out_file, 'w') as f:
        f.write('desc: --cache-sim=no\ncmd: %s\nevents: Ir\n' % ' '.join(argv[i:]))
        if not os.environ.get('FAKE_NO_SUMMARY'):
            f.write('summary: %d\n' % total)
    return proc.returncode


if __name__ == '__main__':
    sys.exit(main(sys.argv))
