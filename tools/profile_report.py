#!/usr/bin/env python3
"""Report on a `spy --profile FILE` profile: hottest methods and a flame graph.

  python3 tools/profile_report.py PROFILE [--top N] [--folded F] [--svg F]
                                          [--focus METHOD]

Prints the methods with the most samples, by self time (the method was
running) and by total time (the method was on the stack), writes the
folded stacks (`root;caller;callee count`, the input format of
flamegraph.pl / speedscope) and a self-contained SVG flame graph.

The file is in vmprof's format as written by RPython's rvmprof (header, then
records: stack traces, code-object names, meta data, trailer).  Stack
entries are (tag, value) pairs, innermost first: tag 1 = an interpreted
method, 3 = a method running in JIT code (value = its unique id); 6 (machine
code address) and 7 (native frame) carry no method and are skipped.
--focus keeps the samples with METHOD on the stack, cut below it (e.g. a
benchmark's `run:` without the file-in and runner frames above it).
"""
import argparse
import html
import struct
import sys
from collections import Counter, defaultdict

MARKER_STACKTRACE = 1
MARKER_VIRTUAL_IP = 2
MARKER_TRAILER = 3
MARKER_INTERP_NAME = 4
MARKER_HEADER = 5
MARKER_TIME_N_ZONE = 6
MARKER_META = 7
MARKER_NATIVE_SYMBOLS = 8
PROFILE_MEMORY = 1
CODE_TAG = 1
JITTED_TAG = 3
METHOD_TAGS = (CODE_TAG, JITTED_TAG)
WORD = 8
UNKNOWN = '(unknown)'


class ProfileError(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ProfileError('truncated profile at byte %d' % self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def word(self):
        return struct.unpack('<q', self.take(WORD))[0]

    def byte(self):
        return self.take(1)[0]

    def string(self):
        n = self.word()
        if n < 0 or n > 1 << 20:
            raise ProfileError('bad string length %d at byte %d' % (n, self.pos))
        return self.take(n).decode('utf-8', 'replace')


def method_name(vmprof_name):
    """'st:Class>>at;put;:0:spy' -> 'Class>>at:put:' (see spyvm/profiler.py)."""
    parts = vmprof_name.split(':')
    if len(parts) == 4 and parts[0] == 'st':
        return parts[1].replace(';', ':')
    return vmprof_name


class Profile:
    """names: uid -> method name; samples: list of (count, [uid, ...] root first)."""

    def __init__(self):
        self.names = {}
        self.samples = []
        self.interval_us = 0
        self.interp = ''
        self.meta = {}

    def name(self, uid):
        return self.names.get(uid, UNKNOWN)

    def total_samples(self):
        return sum(c for c, _ in self.samples)


def read_profile(data):
    """Parse the bytes of a vmprof file written by spy."""
    r = Reader(data)
    prof = Profile()
    head = [r.word() for _ in range(5)]
    if head[:3] != [0, 3, 0]:
        raise ProfileError('not a vmprof profile (bad header)')
    prof.interval_us = head[3]
    memory = False
    while r.pos < len(data):
        marker = r.byte()
        if marker == MARKER_HEADER:
            r.take(2)                           # version (big-endian short)
            flags = r.byte()
            memory = bool(flags & PROFILE_MEMORY)
            n = r.byte()
            prof.interp = r.take(n).decode('ascii', 'replace')
        elif marker in (MARKER_TIME_N_ZONE, MARKER_TRAILER):
            r.take(16 + 8)
            if marker == MARKER_TRAILER:
                break
        elif marker == MARKER_META:
            k = r.string()
            prof.meta[k] = r.string()
        elif marker == MARKER_VIRTUAL_IP:
            uid = r.word()
            prof.names[uid] = method_name(r.string())
        elif marker == MARKER_STACKTRACE:
            count = r.word()
            depth = r.word()
            if depth < 0 or depth > 1 << 16:
                raise ProfileError('bad stack depth %d' % depth)
            words = [r.word() for _ in range(depth)]
            r.word()                            # thread id
            if memory:
                r.word()
            uids = [words[i + 1] for i in range(0, len(words) - 1, 2)
                    if words[i] in METHOD_TAGS]
            if uids:
                prof.samples.append((count, uids[::-1]))
        elif marker == MARKER_INTERP_NAME:
            n = r.byte()
            r.take(n)
        else:
            raise ProfileError('unknown record %d at byte %d' % (marker, r.pos - 1))
    return prof


def focus(prof, method):
    """The samples with `method` on the stack, from its outermost call on;
    answers how many samples were dropped."""
    kept, dropped = [], 0
    for count, uids in prof.samples:
        names = [prof.name(u) for u in uids]
        if method in names:
            kept.append((count, uids[names.index(method):]))
        else:
            dropped += count
    prof.samples = kept
    return dropped


def hottest(prof):
    """(self Counter, total Counter) of sample counts per method name."""
    self_c, total_c = Counter(), Counter()
    for count, uids in prof.samples:
        names = [prof.name(u) for u in uids]
        self_c[names[-1]] += count
        for n in set(names):
            total_c[n] += count
    return self_c, total_c


def folded(prof):
    """Folded stacks: {'a;b;c': count}."""
    out = Counter()
    for count, uids in prof.samples:
        out[';'.join(prof.name(u) for u in uids)] += count
    return out


def text_report(prof, top=20):
    total = prof.total_samples()
    lines = ['%d samples (every %d us), %d methods named'
             % (total, prof.interval_us, len(prof.names))]
    if not total:
        return '\n'.join(lines + ['no samples: the run was too short?']) + '\n'
    self_c, total_c = hottest(prof)
    for title, c in (('self', self_c), ('total', total_c)):
        lines.append('')
        lines.append('hottest methods by %s time:' % title)
        lines.append('  %7s %6s  %s' % ('samples', '%', 'method'))
        for n, k in c.most_common(top):
            lines.append('  %7d %5.1f%%  %s' % (k, 100.0 * k / total, n))
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------- flame graph

def _tree(stacks):
    root = {'n': 0, 'kids': {}}
    for stack, count in stacks.items():
        node = root
        node['n'] += count
        for frame in stack.split(';'):
            node = node['kids'].setdefault(frame, {'n': 0, 'kids': {}})
            node['n'] += count
    return root


def _color(name):
    h = sum(ord(ch) * (i + 1) for i, ch in enumerate(name))
    return 'rgb(%d,%d,%d)' % (205 + h % 50, 80 + (h // 7) % 120, 40 + (h // 13) % 40)


def flame_svg(stacks, title='spy profile', width=1200, row=16):
    """A self-contained SVG flame graph (root at the bottom)."""
    root = _tree(stacks)
    total = root['n'] or 1
    rects = []
    depth_max = [0]

    def walk(node, x, depth):
        depth_max[0] = max(depth_max[0], depth)
        for name, kid in sorted(node['kids'].items()):
            w = kid['n'] * width / total
            if w >= 0.3:
                rects.append((x, depth, w, name, kid['n']))
                walk(kid, x, depth + 1)
            x += w

    walk(root, 0.0, 0)
    height = (depth_max[0] + 1) * row + 40
    out = ['<?xml version="1.0" standalone="no"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="monospace" font-size="11">' % (width, height),
           '<rect width="100%%" height="100%%" fill="#f8f8f0"/>',
           '<text x="%d" y="18" text-anchor="middle" font-size="14">%s (%d samples)</text>'
           % (width // 2, html.escape(title), total)]
    for x, depth, w, name, n in rects:
        y = height - (depth + 1) * row - 4
        label = html.escape(name)
        out.append('<g><title>%s: %d samples (%.1f%%)</title>'
                   '<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" stroke="white" stroke-width="0.5"/>'
                   % (label, n, 100.0 * n / total, x, y, w, row - 1, _color(name)))
        chars = int(w / 7)
        if chars >= 3:
            text = name if len(name) <= chars else name[:chars - 2] + '..'
            out.append('<text x="%.1f" y="%d">%s</text>' % (x + 2, y + row - 4, html.escape(text)))
        out.append('</g>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('profile')
    ap.add_argument('--top', type=int, default=20, help='methods per table (default 20)')
    ap.add_argument('--folded', help='write folded stacks to this file')
    ap.add_argument('--svg', help='write a flame graph to this SVG file')
    ap.add_argument('--focus', metavar='METHOD',
                    help='only samples under METHOD (Class>>selector), cut below it')
    args = ap.parse_args(argv)
    try:
        with open(args.profile, 'rb') as f:
            prof = read_profile(f.read())
    except (OSError, ProfileError) as e:
        sys.stderr.write('profile_report: %s: %s\n' % (args.profile, e))
        return 1
    if args.focus:
        dropped = focus(prof, args.focus)
        print('focus on %s: %d samples outside it dropped' % (args.focus, dropped))
    sys.stdout.write(text_report(prof, args.top))
    stacks = folded(prof)
    if args.folded:
        with open(args.folded, 'w') as f:
            for k, n in sorted(stacks.items()):
                f.write('%s %d\n' % (k, n))
    if args.svg:
        with open(args.svg, 'w') as f:
            f.write(flame_svg(stacks, title=args.profile))
    return 0


if __name__ == '__main__':
    sys.exit(main())
