"""The watchdog: a tick every TICK_MS that the interpreter notices at
backward branches and at activations outside compiled code, where programs
spend their time.  At each tick it checks two limits, and past either the
run ends with an error, the Smalltalk backtrace of where the program was,
and exit 1:

* `--max-time SECONDS` (off by default): a program that loops for ever is
  a clean error, not a process killed from outside without a word;
* the memory ceiling (memory.py): the process's resident size, less its
  host stack (bounded by the stack check), must stay under half of
  `--max-memory`.  This stops runaway recursion well before the GC's heap
  cap, whose MemoryError RPython 0.2.1's JIT does not always survive (its
  malloc_array helper clears the NULL the GC answers: a segfault).

The tick is SIGALRM from setitimer(2), with SA_RESTART so reads and writes
go on; its C handler (spy_on_tick) sets RPython's signal word, which traces
read with one raw load and a conditional call (no guard) per loop
iteration.  Compiled recursion
without loops never reads it, so the handler also checks the memory limit
itself: past it, it makes every stack check fail, and the StackOverflow
ends the run at the next call compiled code does not inline
(`forced_overflow`).  If that does not happen within LAST_MS, the handler
prints why and exits with status 1.

The tick is frequent because compiled code allocates fast: a runaway
recursion that makes an Array per level grows ~1.3 GB/s, and the margin
between the watchdog's limit and the GC's heap cap is a tenth of the budget
(memory.py); at 100 ms ticks the cap came first in most runs at 64 MB
and 128 MB budgets, and often at 256 MB, and its MemoryError reaches the
first interpreted activation only, so the backtrace lost the runaway's
frames.  A tick costs one
getrusage(2) (the peak resident size, a lower bound that rules the limit
out) and reads /proc only once the peak has passed the limit.
"""

import time

from rpython.rlib import jit, rsignal, rstack
from rpython.rlib.objectmodel import we_are_translated
from rpython.rtyper.lltypesystem import rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo

from spyvm.errors import VMError
from spyvm.hostio import monotonic_ms
from spyvm.memory import resident_outside_stack, MB

TICK_MS = 5
MAX_SECONDS = 1000000       # about 11 days

# If the StackOverflow the tick handler forced (past the memory limit) is
# not taken after this many ms, the handler exits the process itself
LAST_MS = 2000
LAST_TICKS = LAST_MS // TICK_MS

_ticker_eci = ExternalCompilationInfo(
    post_include_bits=["RPY_EXTERN int spy_start_ticker(long ms, long *word, "
                       "long *stack_length, long hard_limit_kb);",
                       "RPY_EXTERN long spy_resident_kb(void);",
                       "RPY_EXTERN long spy_peak_resident_kb(void);",
                       "RPY_EXTERN long spy_take_forced_overflow(void);"],
    separate_module_sources=["""
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <sys/resource.h>

static volatile long *spy_word;     /* RPython's signal word: < 0 = tick */
static volatile long *spy_stack_length;     /* rpy_stacktoobig's */
static volatile long spy_saved_length = -1; /* >= 0: the limit is forced */
static long spy_hard_limit_kb;
static int spy_unnoticed;

/* VmRSS - VmStk from /proc/self/status, in kB; only async-signal-safe
   calls (open, read, close) */
static long spy_field_kb(const char *text, const char *name) {
    const char *p = strstr(text, name);
    long value = 0;
    if (!p) return 0;
    p += strlen(name);
    while (*p == ' ' || *p == '\\t') p++;
    while (*p >= '0' && *p <= '9') value = value * 10 + (*p++ - '0');
    return value;
}

RPY_EXTERN long spy_resident_kb(void) {
    char text[4096];    /* on the stack: the handler may interrupt a tick */
    long n, rss, stack;
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) return 0;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    rss = spy_field_kb(text, "VmRSS:");
    stack = spy_field_kb(text, "VmStk:");
    return rss > stack ? rss - stack : 0;
}

/* the largest resident size so far in kB (Linux counts ru_maxrss in kB):
   one system call, never below what spy_resident_kb answers */
RPY_EXTERN long spy_peak_resident_kb(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return LONG_MAX;
    return usage.ru_maxrss;
}

static void spy_on_tick(int sig) {
    static const char msg[] = "spy: out of memory: the process uses more "
        "than half of its memory limit (--max-memory) in code that does "
        "not stop: the run ends here\\n";
    (void)sig;
    if (spy_saved_length >= 0) {
        /* forced and still not taken */
        if (++spy_unnoticed >= SPY_LAST_TICKS) {
            ssize_t ignored = write(2, msg, sizeof(msg) - 1);
            (void)ignored;
            _exit(1);
        }
    } else if (spy_hard_limit_kb > 0 &&
               spy_peak_resident_kb() > spy_hard_limit_kb &&
               spy_resident_kb() > spy_hard_limit_kb) {
        /* every stack check fails from now on: the StackOverflow unwinds
           to Interpreter.activate, which puts the limit back and ends the
           run with a backtrace.  Compiled code checks the stack at every
           call it does not inline: a recursion that fills the heap is
           stopped within a tick, before the GC's heap cap */
        spy_saved_length = *spy_stack_length;
        *spy_stack_length = 0;
        spy_unnoticed = 0;
    }
    *spy_word = -1;
}

RPY_EXTERN long spy_take_forced_overflow(void) {
    long saved = spy_saved_length;
    if (saved < 0) return 0;
    *spy_stack_length = saved;
    spy_saved_length = -1;
    spy_unnoticed = 0;
    return 1;
}

RPY_EXTERN int spy_start_ticker(long ms, long *word, long *stack_length,
                                long hard_limit_kb) {
    struct sigaction action;
    struct itimerval t;
    spy_word = word;
    spy_stack_length = stack_length;
    spy_hard_limit_kb = hard_limit_kb;
    memset(&action, 0, sizeof(action));
    action.sa_handler = spy_on_tick;
    action.sa_flags = SA_RESTART;   /* a tick must not break a read(2) */
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, 0) != 0) return -1;
    t.it_interval.tv_sec = ms / 1000;
    t.it_interval.tv_usec = (ms % 1000) * 1000;
    t.it_value = t.it_interval;
    return setitimer(ITIMER_REAL, &t, 0);
}
""".replace("SPY_LAST_TICKS", str(LAST_TICKS))])
start_ticker = rffi.llexternal('spy_start_ticker',
                               [rffi.LONG, rffi.LONGP, rffi.LONGP, rffi.LONG],
                               rffi.INT, compilation_info=_ticker_eci,
                               releasegil=False)
# VmRSS - VmStk in kB, read in C: Watchdog.tick must have no random
# effects (no GIL release) to be called from traces with conditional_call
resident_kb = rffi.llexternal('spy_resident_kb', [], rffi.LONG,
                              compilation_info=_ticker_eci,
                              releasegil=False)
# the peak resident size in kB: cheap, and below the limit it rules it out
peak_resident_kb = rffi.llexternal('spy_peak_resident_kb', [], rffi.LONG,
                                   compilation_info=_ticker_eci,
                                   releasegil=False)
# no stack check and no GC in between: it runs before anything else when
# the forced StackOverflow arrives (Interpreter.activate)
take_forced_overflow = rffi.llexternal('spy_take_forced_overflow', [],
                                       rffi.LONG,
                                       compilation_info=_ticker_eci,
                                       releasegil=False, _nowrapper=True)


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
            word = rffi.cast(rffi.LONGP, rsignal.pypysig_getaddr_occurred())
            length = rffi.cast(rffi.LONGP, rstack._stack_get_length_adr())
            start_ticker(TICK_MS, word, length, self.max_resident // 1024)
        else:
            self.host_next_tick = time.time() + TICK_MS / 1000.0

    def tick_pending(self):
        if we_are_translated():
            # negative once a flagged signal (only SIGALRM here) arrived
            return rsignal.pypysig_getaddr_occurred().c_value < 0
        return self.max_resident > 0 and time.time() >= self.host_next_tick

    def check(self):
        """At backward branches and interpreted activations: take a pending
        tick.  In traces a conditional call, not a guard, so a trace
        recorded while a tick was pending has the same shape as any other."""
        jit.conditional_call(self.tick_pending(), take_tick, self)

    def forced_overflow(self):
        """Called first thing on a StackOverflow: if the tick handler forced
        it (spy_on_tick), put the stack limit back and answer why the run
        must end; else ""."""
        if not we_are_translated() or take_forced_overflow() == 0:
            return ""
        return self.memory_message()

    def memory_message(self):
        return ("out of memory: the process uses more than half of the %d "
                "MB limit (--max-memory) besides its stack: the run ends "
                "here" % (self.ceiling // MB))

    def tick(self):
        """Take the pending tick; answer why the run must end, or ""."""
        self.ticks += 1
        if we_are_translated():
            # our handler (spy_on_tick) sets the word; a tick that comes
            # after this sets it again.  A stack limit it forced is put
            # back: the run is about to end here (below) anyway
            rsignal.pypysig_getaddr_occurred().c_value = 0
            take_forced_overflow()
        else:
            self.host_next_tick = time.time() + TICK_MS / 1000.0
        if self.max_seconds > 0 and \
                monotonic_ms() - self.started_ms >= self.max_seconds * 1000:
            return ("time limit of %d s reached (--max-time): the run ends "
                    "here" % self.max_seconds)
        if we_are_translated():
            resident = 0
            if peak_resident_kb() > self.max_resident // 1024:
                resident = resident_kb() * 1024
        else:
            resident = resident_outside_stack()
        if resident > self.max_resident:
            return ("out of memory: the process uses %d MB besides its "
                    "stack, more than half of the %d MB limit "
                    "(--max-memory): the run ends here"
                    % (resident // MB, self.ceiling // MB))
        return ""


def take_tick(watchdog):
    """Never traced (conditional_call): the end of the run raises with no
    context; Interpreter.activate adds the one that was running."""
    reason = watchdog.tick()
    if reason:
        raise RunEnds(reason)


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
