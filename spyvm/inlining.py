"""`--bounded-inlining`: spy's own rule for which activations a trace
inlines, for researchers who need speed that does not depend on history.

RPython 0.2.1 decides on its own (the default): it inlines a callee until
the callee is `max_unroll_recursion` levels deep in the trace or the trace
passes `trace_limit`, and either event marks the callee JC_DONT_TRACE_HERE
for the rest of the process.  For tree recursion that makes speed depend on
history: which bridges had been compiled before the mark decides how many
calls run inlined (docs/architecture.md, "Tree recursion and history").

With the option, spy answers first, through the jitdriver's
`can_never_inline` hook, and a trace calls an activation through
call_assembler instead of inlining it when

* the trace is already half of trace_limit long (so traces seldom reach
  trace_limit, whose abort would mark the biggest method), or
* its method already runs MAX_RECURSION times in the activations this trace
  has inlined and not yet left.

Neither answer leaves a mark: the same method is inlined again wherever it
fits.  main.py raises max_unroll_recursion with the option, so that
RPython's own rule does not fire first.

The bookkeeping runs only while tracing: `enter` and `leave` call elidable
functions with constant arguments, which the tracer executes and then
drops from the trace, so compiled code and the interpreter never run it.
It runs whether or not the option is on; only the hook looks at the switch,
so the switch costs traces nothing.

The same bookkeeping bounds `--short-loop` (Interpreter.unrolls_here):
`may_unroll_loop` tells the interpreter whether the trace has room to
unroll one more iteration of a short loop.

It also keeps tree recursion from being marked by chance (on unless
`--bounded-inlining`): a trace past three quarters of trace_limit that is
about to inline one more activation of a method it already runs inlined
is aborted (`enter`), at most --recursion-aborts times per method (default
4), before RPython's own abort at trace_limit marks the method for good.
The guard or entry is traced again at a later crossing of its counter, on
another call of the recursion (docs/architecture.md, "Recursion aborts").
"Already runs" counts the activations the trace entered before the budget
(half of trace_limit) and has not left: a sibling call entered past it
does not count, so a bridge that inlines sibling subtrees one after the
other is let through to its end.  That gap carries benchFib's speed:
counting every activation cut its chain of bridges one level earlier
(docs/architecture.md, "Recursion aborts").  The same abort comes earlier
when the recursion visibly cannot end in the trace: one more activation,
as large as the smallest of that method that ended in this trace, for
each one still open, would pass trace_limit (`recursion_cannot_fit`;
docs/architecture.md, "Rare branches in loop traces": towers' draw).
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import dont_inline

# Measured on `30 benchFib` (docs/architecture.md): a bound of 4 made
# whole subtrees of depth 5 with a call at every frontier node (23 ms); no
# bound but the trace length, 19 ms.  So the bound is only a backstop.
MAX_RECURSION = 1000
# max_unroll_recursion under --bounded-inlining: a backstop too
MAX_UNROLL_RECURSION = 200
# traces of one method aborted for growing too long in its own recursion
# (--recursion-aborts); after that RPython's rule (abort at trace_limit and
# mark) applies again
DEFAULT_RECURSION_ABORTS = 4
# short loops (Interpreter.unrolls_here) are unrolled while the trace is
# shorter than this percentage of trace_limit; past it, while an iteration
# adds at most --unroll-small operations, up to three quarters of it.
# 9 % of the default trace_limit is 2,160 operations, about the 2,250 of
# 25 % of 9000 before the limit went up: at 25 % of 24000 queens unrolled
# its recursive loop into 7x the recorded operations and a 12x first
# iteration (docs/architecture.md, "Longer traces")
DEFAULT_UNROLL_SHARE = 9
# measured on list at 10x size (docs/architecture.md, "Short loops past
# the cap"): one iteration of isShorter:than:'s walk records 100-200
# operations
DEFAULT_UNROLL_SMALL = 200
MAX_UNROLL_SMALL = 1000
MAX_RECURSION_ABORTS = 1000
# what `decide` answers
DONT_INLINE, INLINE, ABORT = 0, 1, 2


class TraceState(object):
    """What the trace being recorded has inlined so far."""
    _attrs_ = ['enabled', 'codes', 'frames', 'marks', 'starts', 'done_codes',
               'done_sizes', 'length', 'inline_next', 'limit', 'budget',
               'unroll_share', 'unroll_cap', 'unroll_small', 'abort_at',
               'recursion_aborts']

    def __init__(self):
        self.enabled = False
        self.codes = []         # methods of inlined activations not yet left
        # methods of every activation the trace entered and has not left
        # (past the budget `codes` stops growing) and, for each, the trace
        # length at its entry or its last unrolled backward branch
        self.frames = []
        self.marks = []
        self.starts = []        # the trace length at each frame's entry
        # the smallest activation of each method that ran to its end in
        # this trace, in operations (recursion_cannot_fit)
        self.done_codes = []
        self.done_sizes = []
        self.length = 0         # trace length at the last decision
        self.inline_next = True
        self.limit = 6000       # RPython's default trace_limit
        self.budget = 3000      # half of RPython's default trace_limit
        self.unroll_share = DEFAULT_UNROLL_SHARE
        self.unroll_cap = 1500  # unroll_share of it (set_trace_limit)
        self.unroll_small = DEFAULT_UNROLL_SMALL
        self.abort_at = 4500    # three quarters of it (recursion aborts)
        self.recursion_aborts = DEFAULT_RECURSION_ABORTS


TRACE = TraceState()


def enable():
    TRACE.enabled = True


def set_trace_limit(limit):
    """main.py tells the trace_limit in effect (spy's default or --jit)."""
    TRACE.limit = limit
    TRACE.budget = limit // 2
    TRACE.unroll_cap = limit * TRACE.unroll_share // 100
    TRACE.abort_at = limit // 4 * 3


def set_unrolling(share, small, limit):
    """main.py: --unroll-cap (percent of trace_limit) and --unroll-small."""
    TRACE.unroll_share = share
    TRACE.unroll_small = small
    set_trace_limit(limit)


def set_recursion_aborts(count):
    """main.py: --recursion-aborts (0: RPython's rule alone)."""
    TRACE.recursion_aborts = count


def enter(code):
    """Decide whether the trace may inline the activation of `code` that is
    about to start; answer 2 if so (the activation is then on the trace's
    list until `leave`), 1 if not (it is still among its frames).  A
    recursion past `abort_at` aborts the trace instead, and the blackhole
    interpreter gets 0."""
    length = jit.current_trace_length()
    if length < 0:
        return 0                # not tracing (the blackhole interpreter)
    answer = decide(jit.promote(code), length)
    if answer == ABORT:
        try:
            abort_recursion(code, length)
        except RecursionTooLong:
            pass                # the blackhole interpreter goes on here
        return 0
    if answer == INLINE:
        return 2
    return 1


class RecursionTooLong(Exception):
    """Raised by `abort_recursion` while tracing: RPython aborts the trace
    (ABORT_ESCAPE, which marks nothing) and the blackhole interpreter goes
    on with this exception, which `enter` catches at once."""


@jit.not_in_trace
def abort_recursion(code, length):
    if length < 0:
        return
    code.recursion_aborts += 1
    raise RecursionTooLong()


def leave(entered):
    if entered:
        length = jit.current_trace_length()
        if length >= 0:
            left(length, entered)


def count_of(code, codes=None):
    if codes is None:
        codes = TRACE.codes
    count = 0
    for c in codes:
        if c is code:
            count += 1
    return count


def sync(state, length):
    if length < state.length:
        # the trace length only grows: this is a new trace (a bridge or a
        # loop); whatever an aborted trace left behind goes
        del state.codes[:]
        del state.frames[:]
        del state.marks[:]
        del state.starts[:]
        del state.done_codes[:]
        del state.done_sizes[:]
    state.length = length


# decide and left are elidable and called with constant arguments: the
# tracer runs them and keeps no operation.  They are not pure, which is the
# point; `length` makes every call's arguments distinct.
@jit.elidable
@dont_inline
def decide(code, length):
    state = TRACE
    sync(state, length)
    count = count_of(code)
    # (not under --bounded-inlining, whose budget keeps traces short and
    # which promises no aborts of its own)
    if (not state.enabled and count > 0 and
            code.recursion_aborts < state.recursion_aborts and
            (length >= state.abort_at or
             recursion_cannot_fit(state, code, count, length))):
        state.inline_next = True
        return ABORT
    inline = length < state.budget and count < MAX_RECURSION
    state.inline_next = inline
    state.frames.append(code)
    state.marks.append(length)
    state.starts.append(length)
    if inline:
        state.codes.append(code)
        return INLINE
    return DONT_INLINE


@jit.elidable
@dont_inline
def left(length, entered):
    state = TRACE
    sync(state, length)
    if state.frames:
        code = state.frames.pop()
        state.marks.pop()
        activation_done(state, code, length - state.starts.pop())
    if entered == 2 and state.codes:
        state.codes.pop()
    return 0


def recursion_cannot_fit(state, code, count, length):
    """Whether a recursion the trace runs `count` activations deep cannot
    end within trace_limit: counting one more activation of `code`, as
    large as the smallest that ended in this trace, for each one still
    open.  A subtree of towers' moveDisks traced three levels deep is
    aborted so before it marks the method, while one of two levels fits;
    benchFib's activations are small, and the estimate seldom fires there
    (docs/architecture.md, "Rare branches in loop traces": towers'
    draw)."""
    i = done_index(state, code)
    return i >= 0 and length + count * state.done_sizes[i] > state.limit


def activation_done(state, code, size):
    i = done_index(state, code)
    if i < 0:
        state.done_codes.append(code)
        state.done_sizes.append(size)
    elif size < state.done_sizes[i]:
        state.done_sizes[i] = size


def done_index(state, code):
    for i in range(len(state.done_codes)):
        if state.done_codes[i] is code:
            return i
    return -1


def may_unroll_loop(code):
    """While tracing: whether the trace may go on through a backward
    branch of `code` without a loop header (Interpreter.unrolls_here).
    Not while `code` runs more than once in the activations the trace has
    entered (unrolling a recursion's loops multiplies the trace), and not
    past --unroll-cap (a quarter of trace_limit): unrolled iterations must
    leave room for the rest of the trace, or the trace aborts as too long
    and RPython stops inlining its biggest function for good (measured on
    queens: with three quarters, 0.55x).  Past the cap only iterations
    that add at most --unroll-small operations, up to three quarters."""
    length = jit.current_trace_length()
    if length < 0:
        return True             # not tracing (the blackhole interpreter)
    return unroll_allowed(jit.promote(code), length) == 1


@jit.elidable
@dont_inline
def unroll_allowed(code, length):
    # elidable with constant arguments: the tracer folds it, so the
    # answer costs compiled code nothing
    state = TRACE
    sync(state, length)
    if count_of(code, state.frames) > 1:
        return 0
    growth = length
    if state.frames and state.frames[-1] is code:
        # the loop is the innermost activation's
        growth = length - state.marks[-1]
        state.marks[-1] = length
    if length < state.unroll_cap:
        return 1
    # past the cap, iterations that stay small (a list walk, a scan) are
    # unrolled on up to abort_at, which keeps the callee's context virtual;
    # a body that inlines much (a recursion) is not
    if growth <= state.unroll_small and length < state.abort_at:
        return 1
    return 0


def can_never_inline(pc, interp, code, key):
    """The jitdriver's hook, asked by the tracer at each portal call, right
    after `enter` decided."""
    return TRACE.enabled and not TRACE.inline_next
