"""RPython's JIT hooks: --jit-events, and whether the JIT has started.

A benchmark iteration that is slow because the JIT compiled something in
it (a late compile) looks, from the timings alone, like noise.  With
--jit-events the JIT's work is written into the same stream as the
program's Transcript, in order, so the harness can tell which iterations
compiled and how long the JIT worked in each:

    JIT-EVENT compile loop 1306 14.2
    JIT-EVENT compile bridge 88 14.9
    JIT-EVENT abort 3 15.3

kind, then the trace's operations (or RPython's abort reason), then the
JIT's total time so far (tracing and machine code, in ms, from RPython's
jit profiler: the same figures as PYPYLOG=jit-summary).

RPython's profiler, which `jit_hooks.stats_*` read, has its counters and
times only once the first trace has started; reading them before crashes
the process.  The count of compiled loops lives elsewhere (the backend's
tracker), so it can always be read, and once it is above 0 a trace has
started (`jit_started`).  Until the first loop is compiled, spy reports
0 for every counter and time.
"""

from rpython.rlib import jit_hooks
from rpython.rlib.jit import JitHookInterface, Counters
from rpython.rlib.objectmodel import we_are_translated

from spyvm.hostio import write_stdout


class HookState(object):
    """What the command line asks of the hooks.  It lives apart from the
    hook object because RPython annotates the JIT's calls of the hooks
    after the main program is typed: a hook class that the main program
    touches is closed by then, and its hooks are missing.  For the same
    reason the hooks only read it: a value they stored would be new to
    the main program's annotation, which is closed too."""
    _attrs_ = ['events']

    def __init__(self):
        self.events = False


STATE = HookState()


def enable_events(on):
    STATE.events = on


def jit_started():
    """Whether RPython's JIT profiler can be read (see the module doc)."""
    if not we_are_translated():
        return False
    return jit_hooks.stats_get_counter_value(
        None, Counters.TOTAL_COMPILED_LOOPS) > 0


def jit_counter(counter):
    """One of RPython's JIT counters (Counters.*); 0 until the JIT has
    compiled its first loop."""
    if not jit_started():
        return 0
    return jit_hooks.stats_get_counter_value(None, counter)


def jit_ms():
    """The JIT's total time so far, in ms: tracing (aborted traces
    included) and the backend; 0 until the first compiled loop.  The main program
    calls it too (stats.py): RPython rewrites the jit_hooks helpers only in
    the graphs that exist before the hooks are annotated, and in a graph
    made for the hooks alone they answer 0."""
    if not jit_started():
        return 0.0
    seconds = (jit_hooks.stats_get_times_value(None, Counters.TRACING) +
               jit_hooks.stats_get_times_value(None, Counters.BACKEND))
    return seconds * 1000.0


def event_line(kind, detail, ms):
    # one decimal: the profiler's clock is time.time(), good to ~1 us
    return "JIT-EVENT %s %d %d.%d\n" % (kind, detail, int(ms),
                                        int(ms * 10) % 10)


class JitEvents(JitHookInterface):
    """The one prebuilt hook object RPython calls (see jitpolicy in
    targetsmalltalk.py)."""

    def after_compile(self, debug_info):
        if STATE.events:
            write_stdout(event_line("compile loop",
                                    len(debug_info.operations), jit_ms()))

    def after_compile_bridge(self, debug_info):
        if STATE.events:
            write_stdout(event_line("compile bridge",
                                    len(debug_info.operations), jit_ms()))

    def on_abort(self, reason, jitdriver, greenkey, greenkey_repr, logops,
                 operations):
        if STATE.events:
            write_stdout(event_line("abort", reason, jit_ms()))

    def before_compile(self, debug_info):
        pass

    def before_compile_bridge(self, debug_info):
        pass

    def on_trace_too_long(self, jitdriver, greenkey, greenkey_repr):
        pass


EVENTS = JitEvents()
