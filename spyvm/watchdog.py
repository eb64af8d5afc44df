"""The watchdog: a tick ten times a second that the interpreter notices at
backward branches and activations, where programs spend their time.  At
each tick it checks two limits, and past either the run ends with an
error, the Smalltalk backtrace of where the program was, and exit 1:

* `--max-time SECONDS` (off by default): a program that loops for ever is
  a clean error, not a process killed from outside without a word;
* the memory ceiling (memory.py): the process's resident size, less its
  host stack (bounded by the stack check), must stay under half of
  `--max-memory`.  This stops runaway recursion in compiled
  code well before the GC's heap cap, whose MemoryError RPython 0.2.1's
  JIT does not always survive (its malloc_array helper clears the NULL
  the GC answers: a segfault).

The tick is SIGALRM from setitimer(2), with SA_RESTART so reads and
writes go on; its handler sets RPython's signal flag, the word PyPy polls
for its own signals.  Noticing a tick costs one raw read and a guard in a
trace; only the tick itself calls out of compiled code.
"""

import time

from rpython.rlib import jit, rsignal
from rpython.rlib.objectmodel import we_are_translated
from rpython.rtyper.lltypesystem import rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo

from spyvm.errors import VMError
from spyvm.hostio import monotonic_ms
from spyvm.memory import resident_outside_stack, MB

TICK_MS = 100
MAX_SECONDS = 1000000       # about 11 days
SIGALRM = 14

_ticker_eci = ExternalCompilationInfo(
    post_include_bits=["RPY_EXTERN int spy_start_ticker(long ms);"],
    separate_module_sources=["""
#include <signal.h>
#include <sys/time.h>
RPY_EXTERN int spy_start_ticker(long ms) {
    struct itimerval t;
    siginterrupt(SIGALRM, 0);       /* a tick must not break a read(2) */
    t.it_interval.tv_sec = ms / 1000;
    t.it_interval.tv_usec = (ms % 1000) * 1000;
    t.it_value = t.it_interval;
    return setitimer(ITIMER_REAL, &t, 0);
}
"""])
start_ticker = rffi.llexternal('spy_start_ticker', [rffi.LONG], rffi.INT,
                               compilation_info=_ticker_eci,
                               releasegil=False)


class RunEnds(VMError):
    """A limit the watchdog guards was passed; the run ends after the
    report (Interpreter.execute)."""


class Watchdog(object):
    _attrs_ = ['max_seconds', 'started_ms', 'max_resident', 'ceiling',
               'host_next_tick', 'ticks']

    def __init__(self):
        self.max_seconds = 0        # 0: no time limit
        self.started_ms = 0
        self.max_resident = 0       # 0: not started
        self.ceiling = 0
        self.host_next_tick = 0.0   # untranslated runs: ticks by the clock
        self.ticks = 0              # taken, for --stats

    def start(self, max_seconds, ceiling):
        """Start ticking: time from now, memory against `ceiling` bytes."""
        assert 0 <= max_seconds <= MAX_SECONDS
        self.max_seconds = max_seconds
        self.started_ms = monotonic_ms()
        self.ceiling = ceiling
        self.max_resident = ceiling // 2
        if we_are_translated():
            rsignal.pypysig_setflag(SIGALRM)
            start_ticker(TICK_MS)
        else:
            self.host_next_tick = time.time() + TICK_MS / 1000.0

    def tick_pending(self):
        if we_are_translated():
            # negative once a flagged signal (only SIGALRM here) arrived
            return rsignal.pypysig_getaddr_occurred().c_value < 0
        return self.max_resident > 0 and time.time() >= self.host_next_tick

    @jit.dont_look_inside
    def tick(self):
        """Take the pending tick; answer why the run must end, or ""."""
        self.ticks += 1
        if we_are_translated():
            # the word first (pypysig_poll only clears the signal's bit;
            # PyPy resets the word itself), then the bit; a tick that comes
            # in between sets the word again
            rsignal.pypysig_getaddr_occurred().c_value = 0
            rsignal.pypysig_poll()
        else:
            self.host_next_tick = time.time() + TICK_MS / 1000.0
        if self.max_seconds > 0 and \
                monotonic_ms() - self.started_ms >= self.max_seconds * 1000:
            return ("time limit of %d s reached (--max-time): the run ends "
                    "here" % self.max_seconds)
        resident = resident_outside_stack()
        if resident > self.max_resident:
            return ("out of memory: the process uses %d MB besides its "
                    "stack, more than half of the %d MB limit "
                    "(--max-memory): the run ends here"
                    % (resident // MB, self.ceiling // MB))
        return ""


def parse_seconds(text):
    """Whole seconds for `30` or `30s`; -1 if the text is not that."""
    if text.endswith("s"):
        end = len(text) - 1
        assert end >= 0
        text = text[:end]
    if not text.isdigit() or len(text) > 7:
        return -1
    seconds = int(text)
    if seconds < 1 or seconds > MAX_SECONDS:
        return -1
    return seconds
