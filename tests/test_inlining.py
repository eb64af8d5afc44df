"""inlining.py's trace-time bookkeeping for short loops, run directly: the
tracer calls these elidable functions with the trace length as it grows."""

import pytest

from spyvm import inlining


class Code(object):
    recursion_aborts = 0


@pytest.fixture
def trace():
    saved = (inlining.TRACE.unroll_share, inlining.TRACE.unroll_small)
    inlining.set_unrolling(0, 100, 12000)   # every length is past the cap
    inlining.sync(inlining.TRACE, -1)       # a fresh trace
    del inlining.TRACE.codes[:]
    del inlining.TRACE.frames[:]
    del inlining.TRACE.marks[:]
    yield inlining.TRACE
    inlining.set_unrolling(saved[0], saved[1], 12000)


def test_small_iterations_of_the_innermost_activation_unroll(trace):
    callee = Code()
    assert inlining.decide(callee, 10) == inlining.INLINE
    assert inlining.unroll_allowed(callee, 60) == 1      # grew by 50
    assert inlining.unroll_allowed(callee, 160) == 1     # by 100
    assert inlining.unroll_allowed(callee, 400) == 0     # by 240
    assert inlining.unroll_allowed(callee, 450) == 1     # by 50 again


def test_past_three_quarters_of_trace_limit_nothing_unrolls(trace):
    callee = Code()
    # past the budget (half) the activation is no longer counted as
    # inlined, but it is still a frame of the trace
    assert inlining.decide(callee, 8900) == inlining.DONT_INLINE
    assert inlining.unroll_allowed(callee, 8950) == 1
    assert inlining.unroll_allowed(callee, 9000) == 0    # abort_at


def test_a_loop_of_an_activation_the_trace_did_not_inline(trace):
    """A bridge's own frames were not entered in this trace: their loops
    have no mark, and their growth counts from the trace's start."""
    outer, callee = Code(), Code()
    assert inlining.unroll_allowed(outer, 500) == 0
    assert inlining.decide(callee, 510) == inlining.INLINE
    assert inlining.unroll_allowed(callee, 530) == 1     # grew by 20
    inlining.left(540, 2)
    assert inlining.unroll_allowed(callee, 550) == 0     # left: no mark
    assert inlining.unroll_allowed(outer, 560) == 0


def test_under_the_cap_every_short_loop_unrolls_but_a_recursions(trace):
    inlining.set_unrolling(25, 0, 12000)
    callee = Code()
    assert inlining.decide(callee, 10) == inlining.INLINE
    assert inlining.unroll_allowed(callee, 2000) == 1
    assert inlining.unroll_allowed(callee, 3000) == 0    # the cap, 25 %
    assert inlining.decide(callee, 3010) == inlining.INLINE
    assert inlining.unroll_allowed(callee, 3020) == 0    # twice inlined


def test_a_recursion_is_aborted_past_three_quarters(trace):
    # trace_limit 12000: budget 6000, abort_at 9000
    method = Code()
    assert inlining.decide(method, 100) == inlining.INLINE
    assert inlining.decide(method, 8900) == inlining.DONT_INLINE
    assert inlining.decide(method, 9100) == inlining.ABORT


def test_a_recursion_that_returned_is_not_aborted(trace):
    method = Code()
    assert inlining.decide(method, 100) == inlining.INLINE
    inlining.left(200, 2)
    assert inlining.decide(method, 9100) == inlining.DONT_INLINE


def test_the_aborts_are_bounded_per_method(trace):
    method = Code()
    method.recursion_aborts = inlining.TRACE.recursion_aborts
    assert inlining.decide(method, 100) == inlining.INLINE
    assert inlining.decide(method, 9100) == inlining.DONT_INLINE


def test_a_recursion_entered_past_the_budget_does_not_count(trace):
    """Sibling calls entered past the budget are not counted: a bridge
    that inlines benchFib's subtrees one after the other may finish past
    three quarters.  Counting them (list's tail:with:with: bridges then
    abort instead of reaching trace_limit) cut benchFib's chain of bridges
    one level earlier: tinyBenchmarks 620-700M sends/s instead of
    880-1,010M (docs/architecture.md, "Recursion aborts")."""
    method = Code()
    assert inlining.decide(method, 7000) == inlining.DONT_INLINE
    assert inlining.decide(method, 9100) == inlining.DONT_INLINE


def test_a_recursion_that_cannot_end_in_the_trace_is_aborted(trace):
    """towers' moveDisks traced three levels deep (docs/architecture.md,
    "Rare branches in loop traces": towers' draw): its first leaf took
    2,300 operations, so a second leaf entered at 5,800 with two
    activations still open needs at least 5,800 + 2 x 2,300 >
    trace_limit."""
    inlining.set_trace_limit(9000)
    moves = Code()
    assert inlining.decide(moves, 0) == inlining.INLINE
    assert inlining.decide(moves, 600) == inlining.INLINE
    assert inlining.decide(moves, 1200) == inlining.INLINE
    inlining.left(3500, 2)
    assert inlining.decide(moves, 5800) == inlining.ABORT


def test_a_recursion_that_can_end_in_the_trace_goes_on(trace):
    """Two levels: 5,200 + 1 x 2,300 fits, and nothing is aborted below
    three quarters of trace_limit before an activation has ended."""
    inlining.set_trace_limit(9000)
    moves, other = Code(), Code()
    assert inlining.decide(moves, 0) == inlining.INLINE
    assert inlining.decide(moves, 600) == inlining.INLINE
    assert inlining.decide(other, 700) == inlining.INLINE   # ends at once
    inlining.left(720, 2)
    inlining.left(2900, 2)
    assert inlining.decide(moves, 5200) == inlining.DONT_INLINE
    fresh = Code()
    assert inlining.decide(fresh, 100) == inlining.INLINE
    assert inlining.decide(fresh, 6000) == inlining.DONT_INLINE


def test_the_estimate_respects_the_abort_budget(trace):
    inlining.set_trace_limit(9000)
    moves = Code()
    moves.recursion_aborts = inlining.DEFAULT_RECURSION_ABORTS
    assert inlining.decide(moves, 0) == inlining.INLINE
    assert inlining.decide(moves, 600) == inlining.INLINE
    inlining.left(2900, 2)
    assert inlining.decide(moves, 5800) == inlining.DONT_INLINE
