"""Root loop traces that leave their loop on the first pass
(spyvm/rootloop.py): where loops end, and when a branch aborts the trace.
The JIT test is tests/jit/test_jit.py::test_a_loop_traced_on_its_way_out_is_traced_again."""

import sys

import pytest

from spyvm import rootloop
from spyvm.inlining import TRACE
from spyvm.code import code_of_method
from tests.mini import *


def nested_loops(image):
    """[true] whileTrue: [[true] whileTrue: []]  (headers 0 and 3)"""
    return code_of_method(image.space, image.install("Object", "nested",
        assemble(push_true(),            # 0: outer header
                 branch_if_false(10),    # 1
                 push_true(),            # 3: inner header
                 branch_if_false(8),     # 4: leaves the inner loop
                 branch(3),              # 6: inner backward branch
                 branch(0),              # 8: outer backward branch
                 self_return())))        # 10


@pytest.fixture
def fresh_state():
    del TRACE.codes[:]
    TRACE.length = 0
    rootloop.ROOT.__init__()
    yield
    del TRACE.codes[:]
    TRACE.length = 0
    rootloop.ROOT.__init__()


def test_a_loop_ends_at_its_last_backward_branch():
    code = nested_loops(mini_image())
    assert rootloop.loop_end(code, 3) == 6
    assert rootloop.loop_end(code, 0) == 8
    assert rootloop.loop_end(code, 1) == -1      # no branch comes back here
    assert rootloop.loop_end(code, 10) == -1


def test_operand_bytes_are_not_branches():
    # primitive 246's number is the Branch opcode byte and the byte after
    # it would read as a target of 0
    code = code_of_method(mini_image().space, mini_image().install(
        "Object", "operand", assemble(push_const(1), pop(), prim(1, 0xF6),
                                      push_inst(0), self_return())))
    assert rootloop.loop_end(code, 0) == -1


def test_leaving_the_loop_the_trace_started_at(fresh_state):
    code = nested_loops(mini_image())
    rootloop._merge_point(code, 3, 1)            # a trace starts at 3
    assert rootloop._leaves(code, 4, 8, 4) == 1
    # a branch inside the loop, or from outside it, leaves nothing
    assert rootloop._leaves(code, 4, 6, 5) == 0
    assert rootloop._leaves(code, 1, 10, 6) == 0
    # not in the trace's own activation
    TRACE.codes.append(code)
    assert rootloop._leaves(code, 4, 8, 7) == 0


def test_a_new_trace_is_noticed_at_its_first_merge_point(fresh_state):
    code = nested_loops(mini_image())
    rootloop._merge_point(code, 3, 1)
    rootloop._merge_point(code, 4, 2)
    TRACE.codes.append(code)                     # left over by that trace
    TRACE.length = 2
    rootloop._merge_point(code, 0, 1)            # the trace length fell
    assert TRACE.codes == []
    assert rootloop._leaves(code, 1, 10, 3) == 1    # leaves the outer loop
    assert rootloop._leaves(code, 4, 8, 4) == 0     # only the inner one
    rootloop._merge_point(code, 10, 1)           # a trace at no loop header
    assert rootloop._leaves(code, 1, 10, 3) == 0


def test_abort_raises_while_tracing_and_counts(fresh_state):
    code = nested_loops(mini_image())
    rootloop.abort(code, -1)                     # not tracing: nothing
    assert code.exit_aborts == 0
    for i in range(rootloop.MAX_ABORTS):
        rootloop._merge_point(code, 3, 1)
        assert rootloop._leaves(code, 4, 8, 4) == 1
        with pytest.raises(rootloop.LeftRootLoop):
            rootloop.abort(code, 4)
        assert rootloop.ROOT.merge_length == sys.maxint
    assert code.exit_aborts == rootloop.MAX_ABORTS
    # past the limit the loop is traced whatever it does
    rootloop._merge_point(code, 3, 1)
    assert rootloop._leaves(code, 4, 8, 4) == 0


def test_an_activation_a_bridge_entered_first_stays_open(fresh_state):
    """A bridge that resumes before a send enters the callee (inlining's
    `decide`, which notices the new trace) before its first merge point:
    that activation is not the trace's own, so its branches leave nothing."""
    code = nested_loops(mini_image())
    rootloop._merge_point(code, 4, 9)            # an older trace
    del TRACE.codes[:]
    TRACE.length = 2                             # decide(code, 2): a new trace
    TRACE.codes.append(code)
    rootloop._merge_point(code, 3, 3)            # the bridge's first merge point
    assert TRACE.codes == [code]
    assert rootloop._leaves(code, 4, 8, 4) == 0
