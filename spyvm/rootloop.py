"""A loop trace that leaves its loop on its first pass is aborted, and
the loop is traced again later (LuaJIT calls this "leaving loop in root
trace").

RPython starts a loop's trace at its header, right after the backward
branch whose count crossed the threshold.  When that branch was the last
one of the loop's run, the trace records the exit: it leaves the loop,
runs the code after it (an outer loop, say) and closes when it comes back
to the header.  That trace is not a loop of the loop: unrolling it proves
the recorded exit guard always fails (the loop variable is a constant
again when the header comes round), RPython's optimizer gives up on
peeling (InvalidLoop) and compiles the preamble jumping to itself.  Every
ordinary iteration then runs in bridges that box their values to jump
back.  polymorphic.st ran 2.3x slower that way (docs/architecture.md,
"Loops traced on their way out"); which iteration a counter crosses on is
a matter of history, so the same program was fast or slow by luck.

The rule: while tracing, a branch taken in the trace's own activation
(no inlined activation open) from inside the loop the trace started at to
beyond that loop's backward branch aborts the trace (`abort`, a
`not_in_trace` call that raises).  RPython then starts again at the next
threshold crossing, almost always in mid-run.  A method's loops may do
this MAX_ABORTS times in all, so a loop that really does leave on most
first passes (one iteration per run) is traced as before after that.

The bookkeeping runs only while tracing, through elidable functions with
constant arguments that the tracer folds away (as inlining.py does), so
compiled code and the interpreter never run it.
"""

import sys

from rpython.rlib import jit
from rpython.rlib.objectmodel import dont_inline

from spyvm import bytecodes as bc
from spyvm.code import instructions
from spyvm.inlining import TRACE, sync

MAX_ABORTS = 3


class RootLoop(object):
    """Where the trace being recorded started."""
    _attrs_ = ['code', 'key', 'header', 'end', 'merge_length']

    def __init__(self):
        self.code = None
        self.key = None         # its loop key (loopkey.py), or None
        self.header = -1
        self.end = -1           # pc of the loop's backward branch, or -1
        self.merge_length = sys.maxint


ROOT = RootLoop()


class LeftRootLoop(Exception):
    """Raised by `abort` while tracing: RPython aborts the trace and the
    blackhole interpreter goes on with this exception, which the branch
    catches at once."""


def at_merge_point(code, pc, key=None):
    """Called at every bytecode the tracer records (Interpreter.dispatch);
    true at the first one of a trace (a constant in the trace)."""
    length = jit.current_trace_length()
    if length >= 0:
        return _merge_point(jit.promote(code), pc, length, key) == 1
    return False


def leaves(code, pc, target):
    """While tracing: does a branch from `pc` to `target` leave the loop
    the trace started at, in the trace's own activation?"""
    length = jit.current_trace_length()
    if length < 0:
        return False            # not tracing (the blackhole interpreter)
    return _leaves(jit.promote(code), pc, target, length) == 1


@jit.not_in_trace
def abort(code, length):
    """Abort the trace being recorded (only ever called while tracing:
    `leaves` is false elsewhere, and compiled code does not call this)."""
    if length < 0:
        return
    code.exit_aborts += 1
    ROOT.code = None
    ROOT.merge_length = sys.maxint   # the next merge point starts a trace
    raise LeftRootLoop()


# elidable and called with constant arguments: the tracer runs them and
# keeps no operation; `length` makes every call's arguments distinct
@jit.elidable
@dont_inline
def _merge_point(code, pc, length, key=None):
    root = ROOT
    # inlining's bookkeeping notices the new trace by its length too; an
    # activation a bridge entered before its first merge point stays open
    sync(TRACE, length)
    # the trace length grows between merge points of one trace: a length
    # that did not is the first merge point of a new trace (a loop, an
    # entry or a bridge)
    first = length <= root.merge_length
    if first:
        root.code = code
        root.key = key
        root.header = pc
        root.end = loop_end(code, pc)
    root.merge_length = length
    return 1 if first else 0


@jit.elidable
@dont_inline
def _leaves(code, pc, target, length):
    root = ROOT
    if root.code is not code or root.end < 0 or TRACE.codes:
        return 0
    if code.exit_aborts >= MAX_ABORTS:
        return 0
    if root.header <= pc <= root.end < target:
        return 1
    return 0


def loop_end(code, header):
    """The pc of the last backward branch to `header` in `code`, or -1
    when `header` is no loop header."""
    end = -1
    for start, high, low, operand in instructions(code.bytes):
        if high == bc.DO_SPECIAL and low in (bc.BRANCH, bc.BRANCH_IF_TRUE,
                                             bc.BRANCH_IF_FALSE) and \
                operand == header and header <= start:
            end = start
    return end
