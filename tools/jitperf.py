#!/usr/bin/env python3
"""Where a translated spy's time goes, by JIT loop and bridge.

`perf record` sees the JIT's machine code as anonymous addresses.  The
JIT's own log says which trace lives where (`jit-backend-addr`) and at
which offset each of its operations starts (`jit-log-opt`), so the two
together attribute every sample to a loop or bridge, or with --ops to
the operation it fell in (perf's skid puts a sample on the instruction
after a slow one: read an operation's share as "at or just before").

    PYPYLOG=jit-log-opt,jit-backend-addr:LOG perf record -e cpu-clock \\
        -o DATA ./spy IMAGE files...
    tools/jitperf.py LOG DATA [--ops] [--top N]

Or by instructions executed instead of samples, which no machine noise
touches: run under callgrind with one address per instruction, and give
its output file to --callgrind (shares are then of all instructions):

    PYPYLOG=jit-log-opt,jit-backend-addr:LOG valgrind --tool=callgrind \\
        --dump-instr=yes --compress-pos=no --compress-strings=no \\
        --callgrind-out-file=OUT ./spy IMAGE files...
    tools/jitperf.py LOG --callgrind OUT [--ops]

(With a stack limit below 512 MB spy re-executes itself, which valgrind
cannot follow: `ulimit -s unlimited` first.)

Code the JIT frees is reused for later traces: a later trace at the same
address replaces the earlier one.  Samples outside every trace are named
by perf's symbol (the interpreter, the GC, libc), and samples in a loop's
entry code (between its bootstrap address and its first operation: what
`call_assembler` and the portal run before the trace) count as that.
"""
import argparse
import bisect
import collections
import re
import subprocess
import sys

ADDR_LOOP = re.compile(r'^(Loop \d+ \(.*\)) has address (0x[0-9a-f]+) to '
                       r'(0x[0-9a-f]+) \(bootstrap (0x[0-9a-f]+)\)')
ADDR_BRIDGE = re.compile(r'^bridge out of Guard (0x[0-9a-f]+) has address '
                         r'(0x[0-9a-f]+) to (0x[0-9a-f]+)')
HEAD_LOOP = re.compile(r'^# (Loop \d+) \(.*\) : .* with (\d+) ops')
HEAD_BRIDGE = re.compile(r'^# bridge out of Guard (0x[0-9a-f]+) '
                         r'with (\d+) ops')
OP = re.compile(r'^\+(\d+): (.*)')
RESULT = re.compile(r'^[a-z]\d+ = ')


class Trace:
    """One loop or bridge: its code's range and its operations' offsets."""

    def __init__(self, name, key, start, end, boot=None):
        self.name = name
        self.key = key          # 'Loop N' or the guard's address
        self.start = start
        self.end = end
        self.boot = boot
        self.ops = []           # (offset, text), in order
        self._offsets = None

    def op_at(self, ip):
        """The operation whose code holds ip.  The log's offsets count
        from a point before the range: the first operation is at start."""
        if not self.ops:
            return None
        if self._offsets is None:
            self._offsets = [o for o, _ in self.ops]
        offset = ip - self.start + self.ops[0][0]
        i = bisect.bisect_right(self._offsets, offset) - 1
        return self.ops[max(i, 0)][1]


def _place(live, trace):
    """Add trace; code it overlaps was freed before it was made."""
    low = trace.boot or trace.start
    for start, old in list(live.items()):
        if (old.boot or old.start) <= trace.end and low <= old.end:
            del live[start]
    live[trace.start] = trace


def parse_log(text):
    """The traces of a PYPYLOG file that still held their code last."""
    by_start = {}
    pending = {}            # key -> Trace waiting for its operations
    current = None
    for line in text.splitlines():
        m = ADDR_LOOP.match(line)
        if m:
            name = m.group(1)
            trace = Trace(name, name.split(' (')[0], int(m.group(2), 16),
                          int(m.group(3), 16), int(m.group(4), 16))
            _place(by_start, trace)
            pending[trace.key] = trace
            continue
        m = ADDR_BRIDGE.match(line)
        if m:
            key = m.group(1)
            trace = Trace('bridge out of Guard %s' % key, key,
                          int(m.group(2), 16), int(m.group(3), 16))
            _place(by_start, trace)
            pending[key] = trace
            continue
        m = HEAD_LOOP.match(line) or HEAD_BRIDGE.match(line)
        if m:
            current = pending.get(m.group(1))
            if current is not None:
                current.ops = []
                if current.key.startswith('0x'):
                    current.name = 'bridge out of Guard %s (%s ops)' % (
                        current.key, m.group(2))
            continue
        if line.startswith('--end of the loop--'):
            current = None
            continue
        if current is not None:
            m = OP.match(line)
            if m:
                current.ops.append((int(m.group(1)), m.group(2)))
    return sorted(by_start.values(), key=lambda t: t.start)


def op_name(text):
    """'i5 = int_add(i3, 1)' -> 'int_add'; a field access names its field."""
    text = RESULT.sub('', text)
    name = text.split('(')[0]
    m = re.search(r'descr=<Field\w? ([\w.]+) ', text)
    if m and name.startswith(('getfield', 'setfield')):
        name += ' ' + m.group(1).split('.')[-1]
    return name


def read_samples(perf_data=None, script=None):
    """(ip, symbol) per sample, from `perf script -F ip,sym` output."""
    if script is None:
        script = subprocess.run(
            ['perf', 'script', '-i', perf_data, '-F', 'ip,sym'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            universal_newlines=True, check=True).stdout
    samples = []
    for line in script.splitlines():
        parts = line.split(None, 1)
        if not parts:
            continue
        try:
            ip = int(parts[0], 16)
        except ValueError:
            continue
        samples.append((ip, parts[1].strip() if len(parts) > 1 else ''))
    return samples


def read_callgrind(text):
    """(ip, function, instructions) per instruction address, from a
    callgrind output file written with --dump-instr=yes --compress-pos=no
    --compress-strings=no.  A cost line after `calls=` is the callee's
    inclusive cost, already counted at the callee's own addresses."""
    samples = []
    fn, skip_next, npos = '', False, 1
    for line in text.splitlines():
        if line.startswith('positions:'):
            # `instr` alone, or `instr line`: the costs follow the positions
            npos = len(line.split()) - 1
            continue
        if line.startswith('fn='):
            fn = line[3:].strip()
            continue
        if line.startswith('calls='):
            skip_next = True
            continue
        if not line.startswith('0x'):
            continue
        if skip_next:
            skip_next = False
            continue
        parts = line.split()
        if len(parts) <= npos:
            continue
        try:
            samples.append((int(parts[0], 16), fn, int(parts[npos])))
        except ValueError:
            continue
    return samples


def attribute(traces, samples, by_op=False):
    """Counter of names -> samples, and the number of samples.  A sample
    is (ip, symbol) or (ip, symbol, weight): callgrind's instructions."""
    starts = [t.start for t in traces]
    boots = sorted((t.boot, t.start, t) for t in traces if t.boot)
    boot_starts = [b[0] for b in boots]
    counts = collections.Counter()
    total = 0
    for sample in samples:
        ip, sym = sample[0], sample[1]
        weight = sample[2] if len(sample) > 2 else 1
        total += weight
        i = bisect.bisect_right(starts, ip) - 1
        if i >= 0 and traces[i].start <= ip <= traces[i].end:
            trace = traces[i]
            if by_op:
                text = trace.op_at(ip)
                name = op_name(text) if text else '(no operations logged)'
                counts[name] += weight
            else:
                counts[trace.name] += weight
            continue
        if by_op:
            continue            # only operations are counted
        j = bisect.bisect_right(boot_starts, ip) - 1
        if j >= 0 and boots[j][0] <= ip < boots[j][1]:
            counts['entry code of %s' % boots[j][2].key] += weight
            continue
        if not sym or sym == '[unknown]' or sym == '???':
            sym = '[unknown]'
        counts[sym] += weight
    return counts, total


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('log', help='PYPYLOG file with jit-log-opt and '
                        'jit-backend-addr')
    parser.add_argument('perf_data', nargs='?', help='perf.data of the run')
    parser.add_argument('--script', help='the text of `perf script -F '
                        'ip,sym` instead of perf_data')
    parser.add_argument('--callgrind', metavar='OUT',
                        help='count instructions from a callgrind output '
                        'file instead of perf samples')
    parser.add_argument('--ops', action='store_true',
                        help='shares by operation, in JIT code only')
    parser.add_argument('--top', type=int, default=25)
    args = parser.parse_args(argv)
    if args.perf_data is None and args.script is None \
            and args.callgrind is None:
        parser.error('give perf_data, --script or --callgrind')
    with open(args.log, errors='replace') as f:
        traces = parse_log(f.read())
    if not traces:
        parser.error('%s has no jit-backend-addr lines: run with '
                     'PYPYLOG=jit-log-opt,jit-backend-addr:FILE' % args.log)
    unit = 'samples'
    if args.callgrind:
        unit = 'instructions'
        try:
            with open(args.callgrind, errors='replace') as f:
                samples = read_callgrind(f.read())
        except OSError as e:
            sys.stderr.write('jitperf: cannot read %s: %s\n'
                             % (args.callgrind, e))
            return 1
    else:
        script = None
        if args.script:
            with open(args.script, errors='replace') as f:
                script = f.read()
        try:
            samples = read_samples(args.perf_data, script)
        except (OSError, subprocess.CalledProcessError) as e:
            sys.stderr.write('jitperf: cannot read %s with perf script: %s\n'
                             % (args.perf_data, e))
            return 1
    if not samples:
        sys.stderr.write('jitperf: no %s\n' % unit)
        return 1
    counts, total = attribute(traces, samples, by_op=args.ops)
    if args.ops:
        in_jit = sum(counts.values())
        print('%d %s, %d (%.1f %%) in traces; shares of all %s:'
              % (total, unit, in_jit, 100.0 * in_jit / total, unit))
    else:
        print('%d %s:' % (total, unit))
    for name, n in counts.most_common(args.top):
        print('%6.2f %%  %s' % (100.0 * n / total, name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
