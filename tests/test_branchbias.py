"""The interpreter's branch counts and the rule that aborts a loop trace
taking a branch its rare way (branchbias.py).  That the JIT then compiles
the common way: tests/jit/test_jit.py, jitRare."""

import pytest

from spyvm import branchbias
from spyvm.code import code_of_method
from spyvm.rootloop import ROOT, loop_end
from tests.mini import *


def rare_loop():
    """n rareLoop: i <- 0. t <- 0. [i < n] whileTrue: [
    i < 5 ifTrue: [t <- t + 9]. i <- i + 1]. ^ t
    Answers the code and the pcs of its two conditional branches."""
    head = assemble(push_const(0), assign_temp(0), pop(),
                    push_const(0), assign_temp(1), pop())
    header = len(head)
    test = assemble(push_temp(0), push_arg(1), send_binary(0))
    exit_pc = header + len(test)
    # the body's own offsets, fixed up once the lengths are known
    rare_test = assemble(push_temp(0), push_const(5), send_binary(0))
    rare_body = assemble(push_temp(1), push_const(9), send_binary(2),
                         assign_temp(1), pop())
    step = assemble(push_temp(0), push_const(1), send_binary(2),
                    assign_temp(0), pop())
    rare_pc = exit_pc + 2 + len(rare_test)
    skip = rare_pc + 2 + len(rare_body)
    back = skip + len(step)
    end = back + 2
    code = assemble(head, test, branch_if_false(end), rare_test,
                    branch_if_false(skip), rare_body, step, branch(header),
                    push_temp(1), stack_return())
    return code, exit_pc, rare_pc, back


@pytest.fixture
def image():
    return mini_image()


def run_rare_loop(image, n):
    code, exit_pc, rare_pc, back = rare_loop()
    w_method = image.install("Object", "rareLoop:", code, temps=2)
    w_result = image.run_method(w_method, image.w_nil, W_SmallInt(n))
    return code_of_method(image.space, w_method), w_result, exit_pc, \
        rare_pc, back


def test_the_interpreter_counts_runs_and_takes_of_each_branch(image):
    code, w_result, exit_pc, rare_pc, back = run_rare_loop(image, 100)
    assert w_result.value == 5 * 9
    # `i < 5 ifTrue:` is a BranchIfFalse: taken (skipping) 95 times
    assert code.branch_profile(rare_pc) == (100, 95)
    # the loop's exit test runs once more than the body and leaves once
    assert code.branch_profile(exit_pc) == (101, 1)
    # an unconditional branch and a pc without a branch count nothing
    assert code.branch_profile(back) == (0, 0)
    assert code.branch_profile(0) == (0, 0)


def test_a_branch_out_of_its_loop_is_never_rare(image):
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 10)
    assert branchbias.leaves_a_loop(code, exit_pc)
    assert not branchbias.leaves_a_loop(code, rare_pc)
    assert not branchbias.leaves_a_loop(code, back)


def test_the_rare_way_in_a_loop_trace(image, monkeypatch):
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 100)
    header = exit_pc - 3
    monkeypatch.setattr(ROOT, "code", code)
    monkeypatch.setattr(ROOT, "end", loop_end(code, header))
    assert ROOT.end == back
    # `i < 5` true (the branch not taken): 5 runs in 100
    assert branchbias._rare(code, rare_pc, False, 7) == 1
    assert branchbias._rare(code, rare_pc, True, 8) == 0
    # leaving the loop is rare too, but never aborts
    assert branchbias._rare(code, exit_pc, True, 9) == 0
    # too few runs to tell
    monkeypatch.setattr(branchbias, "MIN_SEEN", 101)
    assert branchbias._rare(code, rare_pc, False, 10) == 0
    monkeypatch.setattr(branchbias, "MIN_SEEN", 64)
    # a trace that did not start at a loop header (an entry, a bridge)
    monkeypatch.setattr(ROOT, "end", -1)
    assert branchbias._rare(code, rare_pc, False, 11) == 0
    monkeypatch.setattr(ROOT, "end", back)
    # a loop aborted MAX_ABORTS times is traced as it comes
    with pytest.raises(branchbias.RareBranch):
        branchbias.abort(12)
    assert code.bias_aborts == 1
    code.bias_aborts = branchbias.MAX_ABORTS
    assert branchbias._rare(code, rare_pc, False, 13) == 0


def test_outside_tracing_no_branch_is_rare(image):
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 100)
    # untranslated, jit.current_trace_length() answers -1
    assert not branchbias.rare(code, rare_pc, False)
    branchbias.abort(-1)        # a no-op
    assert code.bias_aborts == 0


def test_each_keyed_loop_has_an_abort_budget_of_its_own(image, monkeypatch):
    # the loops of to:do: share its code but not their keys: one block's
    # rare branches do not use up another's budget
    from spyvm.loopkey import LoopKey
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 100)
    key_a = LoopKey(code, 3, None)
    key_b = LoopKey(code, 9, None)
    monkeypatch.setattr(ROOT, "code", code)
    monkeypatch.setattr(ROOT, "end", back)
    monkeypatch.setattr(ROOT, "key", key_a)
    for i in range(branchbias.MAX_ABORTS):
        assert branchbias._rare(code, rare_pc, False, 20 + i) == 1
        with pytest.raises(branchbias.RareBranch):
            branchbias.abort(20 + i)
    assert branchbias._rare(code, rare_pc, False, 30) == 0
    assert key_a.bias_aborts == branchbias.MAX_ABORTS
    assert code.bias_aborts == 0
    monkeypatch.setattr(ROOT, "key", key_b)
    assert branchbias._rare(code, rare_pc, False, 31) == 1


def test_the_counts_describe_the_recent_runs(image):
    # past BRANCH_WINDOW runs both counts are halved: a branch that went
    # one way for a long time and then the other is judged by the latter
    from spyvm.code import BRANCH_WINDOW
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 5)
    code.branch_counts[2 * rare_pc] = 0
    code.branch_counts[2 * rare_pc + 1] = 0
    for i in range(10 * BRANCH_WINDOW):
        code.count_branch(rare_pc, True)
    seen, taken = code.branch_profile(rare_pc)
    assert BRANCH_WINDOW // 2 <= seen < BRANCH_WINDOW and taken == seen
    for i in range(2 * BRANCH_WINDOW):
        code.count_branch(rare_pc, False)
    seen, taken = code.branch_profile(rare_pc)
    assert BRANCH_WINDOW // 2 <= seen < BRANCH_WINDOW
    assert taken * 100 < seen * 30


def test_stale_counts_do_not_decide(image, monkeypatch):
    # counts the interpreter made before the code ran compiled (or only
    # from the runs that left compiled code) are old by the time an outer
    # loop is traced through that code: they keep the trace as it goes
    from spyvm.code import BRANCH_CLOCK
    code, _, exit_pc, rare_pc, back = run_rare_loop(image, 100)
    monkeypatch.setattr(ROOT, "code", code)
    monkeypatch.setattr(ROOT, "end", back)
    # the code was the last the interpreter counted: fresh
    assert code.branch_age() == 0
    assert branchbias._rare(code, rare_pc, False, 40) == 1
    # other code ran interpreted since; its branches tick the clock
    run_rare_loop(image, 5)
    assert code.branch_age() == BRANCH_CLOCK.ticks - code.branch_stamp > 0
    monkeypatch.setattr(BRANCH_CLOCK, "ticks",
                        code.branch_stamp + branchbias.STALE_AFTER)
    assert branchbias._rare(code, rare_pc, False, 41) == 1
    monkeypatch.setattr(BRANCH_CLOCK, "ticks",
                        code.branch_stamp + branchbias.STALE_AFTER + 1)
    assert branchbias._rare(code, rare_pc, False, 42) == 0
    # counting the code again makes its counts fresh
    code.count_branch(rare_pc, True)
    assert code.branch_age() == 0
    assert branchbias._rare(code, rare_pc, False, 43) == 1
