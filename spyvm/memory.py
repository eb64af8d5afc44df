"""The memory ceiling: a runaway program ends with a clean error, never with
a machine-sized process or a signal.

Four guards share one budget (`--max-memory`, default the smaller of 2 GB
and half of the RAM):
* large allocations (new:, strings, byte arrays, copies) are checked against
  the process's resident size before they happen: a Smalltalk error;
* recursion depth is bounded by the host stack the VM lets RPython's stack
  check use, sized from the budget (hoststack.py);
* the watchdog (watchdog.py) looks at the resident size ten times a
  second and ends the run past half of the budget, with a backtrace;
* the GC's heap is capped at six tenths of the budget: what slips past the
  others raises MemoryError, which ends the run with one `spy:` line and
  exit 1 (the GC aborts if the limit is reached a second time, so the run
  cannot go on).
"""

from rpython.rlib import jit, rgc

from spyvm.errors import SpyError
from spyvm.hostio import read_small_file
from spyvm import hoststack

MB = 1024 * 1024
GB = 1024 * MB
DEFAULT_CEILING = 2 * GB
LARGE_ALLOCATION = 1 * MB   # smaller ones are not worth a look at /proc
PAGE_SIZE = 4096
# How the budget is shared: a fifth for the host stack; the watchdog ends
# the run when the resident size passes half (watchdog.py), below the GC's
# heap cap at six tenths (plus a quarter after its first MemoryError), so
# the cap is a last resort for bursts between two ticks.  A small runaway
# recursion still gets more than 1,000,000 levels at the 2 GB default.
STACK_SHARE = 5
HEAP_TENTHS = 6


class OutOfMemory(SpyError):
    """An allocation would take the VM past its memory ceiling."""


class MemoryLimit(object):
    _attrs_ = ['max_bytes', 'heap_cap', 'exhausted']

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.heap_cap = 0           # what the GC was told (0: no cap)
        self.exhausted = False      # the GC raised MemoryError once

    @jit.dont_look_inside
    def heap_exhausted(self):
        """The GC raised MemoryError: give it headroom to unwind and report
        (it aborts the process if it reaches its cap a second time), and
        answer the error message.  The run ends after the report."""
        self.exhausted = True
        if self.heap_cap > 0:
            rgc.set_max_heap_size(self.heap_cap + self.heap_cap // 4)
        return ("out of memory: the heap reached %d MB (--max-memory %d MB)"
                % (self.heap_cap // MB, self.max_bytes // MB))

    def check_allocation(self, nbytes, what, count=-1, unit=""):
        """Raise OutOfMemory if allocating about `nbytes` more would pass
        the ceiling.  The message names `what`, then `count` and `unit`
        when count is given: it is built only when it is needed, as every
        `new:` in a trace passes here."""
        if nbytes >= LARGE_ALLOCATION:
            self._check_large(nbytes, what, count, unit)

    @jit.dont_look_inside
    def _check_large(self, nbytes, what, count, unit):
        if nbytes > self.max_bytes or \
                resident_bytes() + nbytes > self.max_bytes:
            if count >= 0:
                what = "%s %d%s" % (what, count, unit)
            raise OutOfMemory("out of memory: %s needs %d MB, the limit is "
                              "%d MB (--max-memory)"
                              % (what, nbytes // MB, self.max_bytes // MB))


def apply_ceiling(limit):
    """Cap the GC heap and the recursion depth to fit under the limit.

    Measured per level of a small recursion (./spy, 64-bit): interpreted,
    336 bytes of host stack and ~440 bytes of heap and shadow stack; in
    compiled code the JIT inlines 16 levels per host call, so the host
    stack hardly grows and only the heap cap stops it (~350 bytes a level).
    """
    max_bytes = limit.max_bytes
    hoststack.limit_stack(max_bytes // STACK_SHARE)
    # the GC gets 1.25x this after a first MemoryError, to unwind and report
    limit.heap_cap = max_bytes // 10 * HEAP_TENTHS
    rgc.set_max_heap_size(limit.heap_cap)


def default_ceiling():
    """min(2 GB, half of MemTotal), or 2 GB if /proc/meminfo is unreadable."""
    total = read_meminfo_total()
    if total > 0 and total // 2 < DEFAULT_CEILING:
        return total // 2
    return DEFAULT_CEILING


def read_meminfo_total():
    return kb_field(read_small_file("/proc/meminfo"), "MemTotal:") * 1024


def resident_bytes():
    """The process's resident set size (0 if /proc is unavailable)."""
    words = read_small_file("/proc/self/statm").split(" ")
    if len(words) >= 2 and words[1].isdigit():
        return int(words[1]) * PAGE_SIZE
    return 0


def resident_outside_stack():
    """Resident bytes less the host stack's size: after a deep recursion
    unwinds, its stack pages stay resident, but they are bounded by the
    stack check and free for the next recursion, so they do not count."""
    text = read_small_file("/proc/self/status")
    rss = kb_field(text, "VmRSS:")
    stack = kb_field(text, "VmStk:")
    if rss <= stack:
        return 0
    return (rss - stack) * 1024


def kb_field(text, name):
    """The number after `name` on its line of a /proc file (in kB there),
    or 0."""
    start = text.find(name)
    if start < 0:
        return 0
    i = start + len(name)
    while i < len(text) and (text[i] == " " or text[i] == "\t"):
        i += 1
    digits = 0
    value = 0
    while i < len(text) and "0" <= text[i] <= "9" and digits < 15:
        value = value * 10 + (ord(text[i]) - ord("0"))
        digits += 1
        i += 1
    return value


def parse_size(text):
    """Bytes for `512M`, `2G`, `100000K` or a plain number of bytes; -1 if
    the text is not a size."""
    if not text:
        return -1
    unit = 1
    last = text[len(text) - 1]
    digits = text
    if last in "kK":
        unit = 1024
    elif last in "mM":
        unit = MB
    elif last in "gG":
        unit = GB
    if unit != 1:
        end = len(text) - 1
        assert end >= 0
        digits = text[:end]
    if not digits.isdigit() or len(digits) > 12:
        return -1
    return int(digits) * unit
