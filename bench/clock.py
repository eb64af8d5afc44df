"""Which clock times an iteration: the VM's or the harness's.

The runner prints `BENCH name i ms` with the image's millisecond clock
(primitive 119), so an iteration of 5 ms is 5 or 6 and one step of the
clock is a spread of 20 %.  The harness also notes when each line of a
VM's stdout arrives (procs.Result.stamps); for a VM that writes its lines
as it goes (spy does, with one write per line), the time from one BENCH
line to the next is the iteration, to the microsecond, plus the previous
iteration's check and the printing of its line.  `--clock lines` uses
those times where they agree with the VM's own.
"""
import re

# Lines may be prefixed by the VM (e.g. a log tag), so only require that the
# keyword is not glued to a preceding word.
BENCH_RE = re.compile(r'(?<![\w-])BENCH (\S+) (\d+) (-?\d+)(?!\S)')
START_RE = re.compile(r'(?<![\w-])BENCH-START (\S+) (\d+) (\d+)(?!\S)')

CLOCKS = ('vm', 'lines')
# A line time agrees with the VM's when it is within this of it: the
# VM's clock step and rounding, and the check and printing around it.
AGREE_MS = 1.5
AGREE_SHARE = 0.05
# ... and a run's line times are used when this share of them agree (a
# collection between two iterations can make a few disagree; a VM that
# buffers its output gets most of its lines at once).
AGREE_RUN = 0.9


def line_times(stamps, bench):
    """Iteration times in ms (0.01 ms steps) from the arrival times of
    `bench`'s lines: BENCH-START to BENCH 1, then each BENCH line to the
    next.  Numbered like the VM's; a line printed twice counts once."""
    times, last = {}, None
    for t, line in stamps:
        m = START_RE.search(line)
        if m and m.group(1) == bench:
            last = t
            continue
        m = BENCH_RE.search(line)
        if m and m.group(1) == bench and last is not None:
            i = int(m.group(2))
            if i not in times:
                times[i] = round((t - last) * 1e3, 2)
            last = t
    return [times[k] for k in sorted(times)]


def agrees(vm_ms, line_ms):
    return abs(vm_ms - line_ms) <= AGREE_MS + AGREE_SHARE * vm_ms


def choose_times(clock, vm_times, stamps, bench):
    """(times, clock used, line times) for one process: the line times when
    `clock` is 'lines' and enough of them agree with the VM's, else the VM's."""
    lines = line_times(stamps, bench)
    if clock != 'lines' or not vm_times or len(lines) != len(vm_times):
        return vm_times, 'vm', lines
    good = sum(1 for a, b in zip(vm_times, lines) if agrees(a, b))
    if good < AGREE_RUN * len(vm_times):
        return vm_times, 'vm', lines
    return lines, 'lines', lines


def clock_line(vms, benches, results):
    """--clock lines: which processes the harness's clock timed."""
    used = [(b, v, r['clock']) for b in benches for v in vms
            for r in results[b][v]['runs'] if r.get('clock')]
    fallback = sorted(set('%s %s' % (b, v) for b, v, c in used if c == 'vm'))
    return ("clock: the arrival of the runner's lines (--clock lines) in %d of %d processes; "
            "the VM's ms (lines buffered or not agreeing) in %s"
            % (sum(1 for _, _, c in used if c == 'lines'), len(used),
               ', '.join(fallback) or 'none'))
