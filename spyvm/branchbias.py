"""A loop trace that follows a conditional branch the rare way is aborted,
and the loop is traced again later.

A tracing JIT compiles the path of one iteration: whichever iteration
came when the loop's counter crossed the threshold.  When that iteration
took a rare branch (in bench/bounce.st, a ball that hits a wall: each
of `bounce`'s four tests was true in 15-33 % of the runs profiled), the
loop is the rare path and every ordinary iteration leaves it through a
guard into a bridge that redoes the loop's preamble before it jumps back: bounce
ran 1.7x slower so, and whether it did depended on the length of a file
name (which shifts the GC's minor collections, and with them when the
counters decay and cross; docs/architecture.md, "Rare branches in loop
traces").

The interpreter counts, per conditional branch, how often it ran and how
often it was taken (`CompiledCode.count_branch`).  While tracing a loop
(the trace started at a loop header: rootloop.ROOT), a conditional branch
that goes the way it went in less than RARE_PERCENT % of at least
MIN_SEEN recent interpreted runs aborts the trace, as rootloop.py does for a
trace that leaves its loop; RPython traces the loop again at a later
crossing.  A branch that leaves a loop (an inner loop that a trace
unrolls ends once per run) is not rare in that sense and never aborts.
Only fresh counts decide: those of code the interpreter ran a moment ago
(at most STALE_AFTER counted branches before the trace started, on
code.BRANCH_CLOCK), as it does the body of a loop that is about to get
hot.  A method that has run compiled since its last count has old counts
or counts of the runs that left compiled code through a guard, the rare
ones: an outer loop traced late through it (bench/bounce.st's `run:`
loop, through `balls do:` compiled long before) would otherwise be
aborted for taking the common way (docs/architecture.md, "Rare branches
in loop traces").
A loop's traces are aborted so at most MAX_ABORTS times (counted on its
loop key, so that each block's loop through `to:do:` has a budget of its
own, or else on its method), so a loop whose every iteration takes some
rare branch is traced as before after that.

As in rootloop.py, the decision runs only while tracing, in an elidable
function with constant arguments that the tracer folds away; compiled
code does not count and does not decide.
"""

from rpython.rlib import jit
from rpython.rlib.debug import (debug_start, debug_stop, debug_print,
                                have_debug_prints)
from rpython.rlib.objectmodel import dont_inline

from spyvm import bytecodes as bc
from spyvm.code import instructions, is_branch, MISSING
from spyvm.rootloop import ROOT

# the way a loop trace should not take: at most this share of the runs
# (the bounce loop's unlucky trace took a 15 % way; past about a third, a
# trace has no clearly better way to take)
RARE_PERCENT = 30
MIN_SEEN = 64
MAX_ABORTS = 4
# counts older than this many branches counted elsewhere do not decide: a
# loop's body is counted at most a few hundred branches before its trace
# starts, compiled code's ages grow with every interpreted iteration
STALE_AFTER = 256

# whether the interpreter counts branches: a translation-time constant,
# off in spy-nojit (targetsmalltalk.target), which has no traces to choose
PROFILE = True


class RareBranch(Exception):
    """Raised by `abort` while tracing: RPython aborts the trace and the
    blackhole interpreter goes on with this exception, which the branch
    catches at once."""


def rare(code, pc, taken):
    """While tracing: is the branch at `pc` going its rare way in a loop
    trace that may still be aborted for it?"""
    length = jit.current_trace_length()
    if length < 0:
        return False            # not tracing (the blackhole interpreter)
    # the branch guards on `taken` anyway: promoted, every argument is a
    # constant and the tracer folds the call
    return _rare(jit.promote(code), pc, jit.promote(taken), length) == 1


@jit.not_in_trace
def abort(length):
    """Abort the trace being recorded (only called while tracing)."""
    if length < 0:
        return
    if ROOT.key is not None:
        ROOT.key.bias_aborts += 1
    elif ROOT.code is not None:
        ROOT.code.bias_aborts += 1
    raise RareBranch()


# elidable and called with constant arguments: the tracer runs it and
# keeps no operation; `length` makes every call's arguments distinct
@jit.elidable
@dont_inline
def _rare(code, pc, taken, length):
    root = ROOT.code
    if root is None or ROOT.end < 0:
        return 0                # not a loop trace
    seen, times_taken = code.branch_profile(pc)
    went = times_taken if taken else seen - times_taken
    age = code.branch_age()
    decision = 0
    if seen >= MIN_SEEN and went * 100 < seen * RARE_PERCENT and \
            age <= STALE_AFTER and aborts(ROOT) < MAX_ABORTS and \
            not leaves_a_loop(code, pc):
        decision = 1
    # PYPYLOG=spy-branchbias:FILE: every branch a loop trace records
    debug_start("spy-branchbias")
    if have_debug_prints():
        debug_print("%s @%d %s: went so %d of %d runs, %d branches ago, "
                    "%d aborts: %s" % (
                        code.selector, pc, "taken" if taken else "not taken",
                        went, seen, age, aborts(ROOT),
                        "abort" if decision else "keep"))
    debug_stop("spy-branchbias")
    return decision


def aborts(root):
    if root.key is not None:
        return root.key.bias_aborts
    return root.code.bias_aborts


def leaves_a_loop(code, pc):
    """Whether the conditional branch at `pc` jumps out of a loop: past a
    backward branch whose header is at or before `pc`."""
    branches = [(start, operand)
                for start, high, low, operand in instructions(code.bytes)
                if high == bc.DO_SPECIAL and is_branch(low) and
                operand != MISSING]
    target = -1
    for start, operand in branches:
        if start == pc:
            target = operand
    if target <= pc:
        return False
    for start, header in branches:
        if header <= pc < start < target:
            return True         # a backward branch the jump goes past
    return False
