"""Each bytecode and the send/return machinery, on hand-assembled methods."""

import pytest

from spyvm.model import W_SmallInt, W_PointersObject, W_BytesObject
from spyvm.context import W_Context, W_Block
from tests.mini import *
from spyvm.lookup import classinfo_of
from spyvm import bytecodes as bc


@pytest.fixture
def image():
    return mini_image()


def install_block_value(image):
    image.install("Block", "value", assemble(push_self(), prim(1, 8),
                                             self_return()))
    image.install("Block", "value:", assemble(push_arg(1), push_self(),
                                              prim(2, 8), self_return()))


def test_push_constants(image):
    space = image.space
    for low in range(10):
        assert image.run(assemble(push_const(low), stack_return())).value == low
    assert image.run(assemble(push_nil(), stack_return())) is space.w_nil
    assert image.run(assemble(push_true(), stack_return())) is space.w_true
    assert image.run(assemble(push_false(), stack_return())) is space.w_false


def test_push_constant_integers_are_shared_boxes(image):
    # PushConstant 0-9 allocates nothing (objspace.py); a stored constant
    # keeps its value and `==` still compares SmallInts by value
    first = image.run(assemble(push_const(7), stack_return()))
    assert image.run(assemble(push_const(7), stack_return())) is first
    w_obj = image.new("Object", image.w_nil)
    image.run(assemble(push_const(7), assign_inst(0), push_const(3),
                       send_binary(2), stack_return()), rcv=w_obj)
    assert w_obj.fetch(image.space, 0).value == 7
    assert image.space.w_constant_ints[7].value == 7
    from spyvm.primitives.objects import identical
    assert identical(image.interp, [W_SmallInt(7), first]) is \
        image.space.w_true


def test_undefined_push_constant_is_an_error(image):
    assert image.run(assemble(push_const(13), stack_return())) is image.w_nil
    assert image.interp.error_count == 1


def test_push_literal_extended_form(image):
    literals = [W_SmallInt(100 + i) for i in range(20)]
    w = image.run(assemble(push_lit(17), stack_return()), literals)
    assert w.value == 117


def test_temporaries_and_assignment_keep_the_value(image):
    code = assemble(push_const(7), assign_temp(1), assign_temp(0), pop(),
                    push_temp(0), push_temp(1), send_binary(2), stack_return())
    assert image.run(code, temps=2).value == 14


def test_instance_variables(image):
    w_obj = image.new("Object", image.w_nil, image.w_nil)
    code = assemble(push_const(3), assign_inst(1), pop(), push_inst(1),
                    push_inst(1), send_binary(2), stack_return())
    assert image.run(code, rcv=w_obj).value == 6
    assert w_obj.slots_w[1].value == 3


def test_self_return_answers_the_receiver(image):
    w_obj = image.new("Object")
    assert image.run(assemble(self_return()), rcv=w_obj) is w_obj


def test_send_unary_is_an_identity_test(image):
    space = image.space
    code = assemble(push_nil(), send_unary(0), stack_return())
    assert image.run(code) is space.w_true
    code = assemble(push_const(0), send_unary(0), stack_return())
    assert image.run(code) is space.w_false
    code = assemble(push_const(0), send_unary(1), stack_return())
    assert image.run(code) is space.w_true


def test_send_binary_fast_path(image):
    space = image.space
    def binary(i, j, low):
        return image.run(assemble(push_lit(0), push_lit(1), send_binary(low),
                                  stack_return()),
                         [W_SmallInt(i), W_SmallInt(j)])
    assert binary(3, 4, 0) is space.w_true
    assert binary(4, 4, 0) is space.w_false
    assert binary(4, 4, 1) is space.w_true
    assert binary(5, 4, 1) is space.w_false
    assert binary(-3, 4, 2).value == 1
    assert binary(2 ** 40, 2 ** 40, 2).value == 2 ** 41


def test_send_binary_overflow_falls_back_to_a_real_send(image):
    # SmallInt>>+ answers its argument list as a marker
    image.install("SmallInt", "+", assemble(push_lit(0), stack_return()),
                  ["slow path"])
    code = assemble(push_lit(0), push_lit(1), send_binary(2), stack_return())
    w = image.run(code, [W_SmallInt(2 ** 62), W_SmallInt(2 ** 62)])
    assert w.as_string() == "slow path"


def test_send_binary_non_integers_send_the_selector(image):
    image.install("Object", "<", assemble(push_arg(1), stack_return()))
    w_obj = image.new("Object")
    code = assemble(push_self(), push_const(9), send_binary(0), stack_return())
    assert image.run(code, rcv=w_obj).value == 9


def test_send_message_with_arguments(image):
    # Object>>with: a with: b  ^ b
    image.install("Object", "with:with:", assemble(push_arg(2), stack_return()))
    code = assemble(push_self(), push_const(1), push_const(2), mark(3),
                    send(0), stack_return())
    assert image.run(code, ["with:with:"]).value == 2


def test_arguments_array_holds_what_the_sender_marked(image):
    # the callee's `arguments` holds what MarkArguments built
    image.install("Object", "args", assemble(prim(0, 35), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_ctx = image.run(code, ["args"])
    assert isinstance(w_ctx, W_Context)
    w_args = w_ctx.fetch(image.space, 1)
    assert w_args.size() == 1
    assert w_args.fetch(image.space, 0) is image.w_nil


def test_loop_with_backward_branch(image):
    # sum <- 0. i <- 1. [i <= 10] whileTrue: [sum <- sum + i. i <- i + 1]
    code = assemble(
        push_const(0), assign_temp(0), pop(),            # 0..2
        push_const(1), assign_temp(1), pop(),            # 3..5
        push_temp(1), push_lit(0), send_binary(1),       # 6..8
        branch_if_false(24),                             # 9..10
        push_temp(0), push_temp(1), send_binary(2), assign_temp(0), pop(),
        push_temp(1), push_const(1), send_binary(2), assign_temp(1), pop(),
        branch(6),                                       # 21..22
        pop(),                                           # 23 (unreached)
        push_temp(0), stack_return())                    # 24
    assert image.run(code, [W_SmallInt(10)], temps=2).value == 55


def test_conditional_branches_ignore_non_booleans(image):
    # nil falls through both BranchIfTrue and BranchIfFalse
    code = assemble(push_nil(), branch_if_true(6), push_const(1),
                    stack_return(), push_const(2), stack_return())
    assert image.run(code).value == 1
    code = assemble(push_nil(), branch_if_false(6), push_const(1),
                    stack_return(), push_const(2), stack_return())
    assert image.run(code).value == 1


def test_push_block_and_value(image):
    install_block_value(image)
    # [:x | x + 1] value: 41   (x in temp 0)
    code = assemble(push_block(0, 6),                    # 0..1, body at 2
                    push_temp(0), push_const(1), send_binary(2),
                    stack_return(),                      # 2..5
                    push_lit(1), mark(2), send(0), stack_return())
    w = image.run(code, ["value:", W_SmallInt(41)], temps=1)
    assert w.value == 42


def test_block_object_slots(image):
    code = assemble(push_block(3, 4), push_nil(), stack_return(),
                    stack_return())
    w_block = image.run(code, temps=4)
    assert isinstance(w_block, W_Block)
    space = image.space
    assert w_block.fetch(space, 4).value == 2
    assert w_block.fetch(space, 9).value == 2
    assert w_block.fetch(space, 7).value == 3
    assert isinstance(w_block.fetch(space, 8), W_Context)
    assert w_block.getclass(space) is space.w_Block


def test_block_invocation_is_a_tail_call(image):
    # the block context's previousContext is Block>>value's sender
    install_block_value(image)
    code = assemble(push_block(0, 5), prim(0, 35), stack_return(),
                    mark(1), send(0), stack_return())
    w_ctx = image.run(code, ["value"])
    assert isinstance(w_ctx, W_Context)
    w_sender = w_ctx.fetch(image.space, 6)
    assert isinstance(w_sender, W_Context)
    assert w_sender.code.selector == "test"
    assert w_ctx.size() == 10


def test_non_local_return_leaves_the_home_method(image):
    install_block_value(image)
    # Object>>find  [^ 7] value. ^ 99
    image.install("Object", "find", assemble(
        push_block(0, 4), push_const(7), block_return(),
        mark(1), send(0), pop(), push_lit(1), stack_return()),
        ["value", W_SmallInt(99)])
    code = assemble(push_self(), mark(1), send(0), push_const(1),
                    send_binary(2), stack_return())
    assert image.run(code, ["find"]).value == 8


def test_nested_block_return_goes_to_the_outer_blocks_caller(image):
    # spec 3.6: ^ in a block nested in a block returns to the caller of the
    # outer block's value, not from the home method.
    install_block_value(image)
    image.install("Object", "nested", assemble(
        push_block(0, 9),                                 # outer body at 2
        push_block(0, 6), push_const(5), block_return(),  # inner body 4..5
        mark(1), send(0), stack_return(),                 # 6..8 inner value
        mark(1), send(0), pop(), push_const(0), stack_return()),
        ["value"])
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["nested"]).value == 0


def test_block_return_to_a_returned_home_resumes_its_caller(image):
    # the home method has returned; ^ goes to its old caller (spec 3.6)
    install_block_value(image)
    image.install("Object", "maker", assemble(
        push_block(0, 4), push_const(4), block_return(), stack_return()))
    code = assemble(push_self(), mark(1), send(0),       # the block
                    mark(1), send(1),                    # block value
                    push_const(1), send_binary(2), stack_return())
    assert image.run(code, ["maker", "value"]).value == 5


def test_non_local_return_into_a_context_that_has_already_returned(image):
    # maker answers [^ 4]; its target, outer's context, has returned by
    # the time the block runs.  The return unwinds to the execution
    # boundary, which resumes outer's dead context after its send (it
    # answers 4 again, to test, which carries on after `value`)
    install_block_value(image)
    image.install("Object", "maker", assemble(
        push_block(0, 4), push_const(4), block_return(), stack_return()))
    image.install("Object", "outer", assemble(
        push_self(), mark(1), send(0), stack_return()), ["maker"])
    image.install("Object", "count", assemble(
        push_inst(0), push_const(1), send_binary(2), assign_inst(0),
        stack_return()))
    code = assemble(push_self(), mark(1), send(0),          # self outer
                    mark(1), send(1),                       # value
                    push_self(), mark(1), send(2), pop(),   # self count
                    push_const(1), send_binary(2), stack_return())
    w_rcv = image.new("Object", W_SmallInt(0))
    image.cls("Object").slots_w[3] = W_SmallInt(1)
    w = image.run(code, ["outer", "value", "count"], rcv=w_rcv)
    assert w.value == 5
    # test resumed once, after `value`: count ran once
    assert w_rcv.slots_w[0].value == 1
    assert image.interp.error_count == 0


def test_primitive_8_in_a_method_body_answers_the_blocks_value(image):
    # useIt gets [^ 7] from maker (so the block's ^ returns to useIt) and
    # calls it with <8 block> directly, after a send.  The ^ resumes
    # useIt's abandoned context after the primitive, not at the pc of its
    # last send (which re-ran <8> on 7: "primitive 8 needs a Block")
    image.install("Object", "maker", assemble(
        push_block(0, 4), push_const(7), block_return(), stack_return()))
    image.install("Object", "useIt", assemble(
        push_self(), mark(1), send(0), prim(1, 8), stack_return()),
        ["maker"])
    code = assemble(push_self(), mark(1), send(0), push_const(1),
                    send_binary(2), stack_return())
    assert image.run(code, ["useIt"]).value == 8
    assert image.interp.error_count == 0


def test_super_send_starts_at_the_method_class_parent(image):
    image.subclass("Animal")
    image.subclass("Dog", "Animal")
    image.install("Animal", "sound", assemble(push_const(1), stack_return()))
    image.install("Dog", "sound", assemble(
        push_self(), mark(1), super_send(0), push_const(9), send_binary(2),
        stack_return()), ["sound"])
    w_dog = image.new("Dog")
    assert image.send(w_dog, "sound").value == 10


def test_does_not_understand_gets_selector_and_arguments(image):
    # Object>>doesNotUnderstand: msg  ^ msg
    image.install("Object", "doesNotUnderstand:",
                  assemble(push_arg(1), stack_return()))
    code = assemble(push_const(3), push_const(4), mark(2), send(0),
                    stack_return())
    w_msg = image.run(code, ["frob:"])
    assert w_msg.slots_w[0].as_string() == "frob:"
    assert ints(w_msg.slots_w[1]) == [3, 4]


def test_missing_does_not_understand_is_a_vm_error(image, capfd):
    code = assemble(push_const(3), mark(1), send(0), stack_return())
    assert image.run(code, ["frob"]) is image.w_nil
    err = capfd.readouterr().err
    assert 'does not understand "frob"' in err
    assert "test[Undefined,]" in err
    assert image.interp.error_count == 1


def test_quick_methods_are_recognised():
    from spyvm import code as c
    assert c.quick_return(bytes(bytearray(assemble(self_return())))) == \
        (c.QUICK_SELF, 0)
    for asm, kind, index in [
            (push_inst(2), c.QUICK_INSTANCE, 2),
            (push_arg(1), c.QUICK_ARGUMENT, 1),
            (push_lit(17), c.QUICK_LITERAL, 17),     # extended form
            (push_const(7), c.QUICK_CONSTANT, 7),
            (push_false(), c.QUICK_CONSTANT, bc.CONST_FALSE)]:
        code = bytes(bytearray(assemble(asm, stack_return(), self_return())))
        assert c.quick_return(code) == (kind, index)
    for asm in [assemble(push_const(13), stack_return()),    # undefined
                assemble(push_temp(0), stack_return()),
                assemble(push_self(), pop(), self_return()),
                assemble(push_inst(0)), []]:
        assert c.quick_return(bytes(bytearray(asm))) == (c.QUICK_NONE, 0)


def test_leaf_methods_are_recognised():
    from spyvm import code as c
    def leaf(*parts):
        return c.is_leaf(bytes(bytearray(assemble(*parts))))
    # ^ x + 1; a forward branch; a primitive with its fallback
    assert leaf(push_arg(1), push_const(1), send_binary(2), stack_return())
    assert leaf(push_arg(1), branch_if_true(5), push_const(1),
                stack_return(), push_const(2), stack_return())
    assert leaf(push_self(), push_arg(1), prim(2, 24), self_return())
    # a send, a block, a loop, or too long
    assert not leaf(push_self(), mark(1), send(0), stack_return())
    assert not leaf(push_block(0, 4), pop(), self_return())
    assert not leaf(push_true(), branch_if_true(0), self_return())
    assert not leaf(*([push_const(1), pop()] * 17 + [self_return()]))
    # bytes that end inside an instruction or before a branch's operand
    assert not leaf(push_arg(1), op(0, 0)[:1])
    assert not leaf(push_arg(1), branch_if_true(5)[:-1])


def test_instructions_walk_operands_and_truncation():
    from spyvm import code as c
    def walk(*parts):
        return c.instructions(bytes(bytearray(assemble(*parts))))
    assert walk(push_arg(1), branch(0), prim(2, 24), self_return()) == [
        (0, 2, 1, -1), (1, 15, 6, 0), (3, 13, 2, 24), (5, 15, 1, -1)]
    assert walk(push_arg(1), branch(0)[:-1]) == [(0, 2, 1, -1),
                                                 (1, 15, 6, c.MISSING)]
    assert walk(op(0, 0)[:1]) == [(0, c.TRUNCATED, 0, -1)]


def test_leaf_methods_run_and_report_errors_in_their_own_context(image,
                                                                 capfd):
    # Object>>plus: ^ self + arg, and Object>>bad ^ instVar 2 + 1 sent to
    # an object with one slot: the error names bad, as any activation would
    image.install("Object", "plus:", assemble(push_self(), push_arg(1),
                                              send_binary(2), stack_return()))
    image.install("Object", "bad", assemble(push_inst(2), push_const(1),
                                            send_binary(2), stack_return()))
    code = assemble(push_const(3), push_const(4), mark(2), send(0),
                    stack_return())
    assert image.run(code, ["plus:"]).value == 7
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["bad"], rcv=image.new("Object", image.w_nil)) \
        is image.w_nil
    err = capfd.readouterr().err
    assert "cannot read slot 2" in err
    assert "bad[Object,]" in err


def test_sends_to_quick_methods_answer_their_value(image):
    space = image.space
    image.subclass("Pair", ivars=2)
    w_pair = image.new("Pair", W_SmallInt(5), W_SmallInt(6))
    image.install("Pair", "second", assemble(push_inst(1), stack_return()))
    image.install("Pair", "me", assemble(self_return()))
    image.install("Pair", "pick:", assemble(push_arg(1), stack_return()))
    image.install("Pair", "big", assemble(push_lit(0), stack_return()),
                  [W_SmallInt(1000)])
    image.install("Pair", "yes", assemble(push_true(), stack_return()))
    # ^ (pair second) + (pair big) + (pair pick: 9), with me and yes checked
    code = assemble(push_self(), mark(1), send(0),
                    push_self(), mark(1), send(1), send_binary(2),
                    push_self(), push_const(9), mark(2), send(2),
                    send_binary(2), stack_return())
    assert image.run(code, ["second", "big", "pick:"], rcv=w_pair).value == \
        6 + 1000 + 9
    assert image.run(assemble(push_self(), mark(1), send(0), stack_return()),
                     ["me"], rcv=w_pair) is w_pair
    assert image.run(assemble(push_self(), mark(1), send(0), stack_return()),
                     ["yes"], rcv=w_pair) is space.w_true


def test_a_quick_method_that_fails_runs_as_a_method(image, capfd):
    # Object>>third ^ instVar 3, sent to an object with one slot: the
    # error names the method, as if it had been activated
    image.install("Object", "third", assemble(push_inst(2), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["third"], rcv=image.new("Object", image.w_nil)) \
        is image.w_nil
    err = capfd.readouterr().err
    assert "cannot read slot 2" in err
    assert "third[Object,]" in err


def test_push_class_variable_reads_the_receivers_class(image):
    w_cls = image.subclass("Counter")
    w_cls.slots_w[5] = W_SmallInt(77)          # class variable slot 5
    w_obj = image.new("Counter")
    code = assemble(push_classvar(0), stack_return())
    assert image.run(code, rcv=w_obj).value == 77


def test_primitive_6_runs_a_context_as_a_nested_execution(image):
    space = image.space
    w_method = image.make_method(image.cls("Object"), "seven",
                                 assemble(push_const(7), stack_return()))
    w_ctx = W_PointersObject(space.w_Context, [
        w_method, space.wrap_list([image.w_nil]), space.new_array(0),
        space.new_array(8), W_SmallInt(0), W_SmallInt(0), image.w_nil])
    code = assemble(push_lit(0), prim(1, 6), push_const(1), send_binary(2),
                    stack_return())
    assert image.run(code, [w_ctx]).value == 8


@pytest.mark.parametrize("w_pc, message", [
    (W_SmallInt(-5), "bytePointer -5 is outside"),
    (W_SmallInt(2), "bytePointer 2 is outside"),
    (W_SmallInt(-2 ** 62), "is outside"),
    (None, "bytePointer is not an integer")])
def test_primitive_6_refuses_a_bytepointer_outside_the_method(image, capfd,
                                                              w_pc, message):
    # a segfault before: the loop only checked pc >= len
    space = image.space
    if w_pc is None:
        w_pc = space.wrap_string("x")
    w_method = image.make_method(image.cls("Object"), "seven",
                                 assemble(push_const(7), stack_return()))
    w_ctx = W_PointersObject(space.w_Context, [
        w_method, space.wrap_list([image.w_nil]), space.new_array(0),
        space.new_array(8), w_pc, W_SmallInt(0), image.w_nil])
    code = assemble(push_lit(0), prim(1, 6), stack_return())
    assert image.run(code, [w_ctx]) is space.w_nil
    err = capfd.readouterr().err
    assert message in err
    assert "test[Undefined,]" in err


def test_halt_unwinds_to_the_nearest_nested_execution(image):
    space = image.space
    w_method = image.make_method(image.cls("Object"), "halts",
                                 assemble(prim(0, 34), push_const(1),
                                          stack_return()))
    w_ctx = W_PointersObject(space.w_Context, [
        w_method, space.wrap_list([image.w_nil]), space.new_array(0),
        space.new_array(8), W_SmallInt(0), W_SmallInt(0), image.w_nil])
    # <6 ctx> answers nil, and the outer method carries on
    code = assemble(push_lit(0), prim(1, 6), send_unary(0), stack_return())
    assert image.run(code, [w_ctx]) is space.w_true
    assert image.interp.error_count == 1


def test_current_context_has_a_correct_chain(image):
    image.install("Object", "here", assemble(prim(0, 35), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_ctx = image.run(code, ["here"])
    space = image.space
    assert w_ctx.fetch(space, 0).slots_w[0].as_string() == "here"
    w_caller = w_ctx.fetch(space, 6)
    assert w_caller.fetch(space, 0).slots_w[0].as_string() == "test"
    assert w_caller.fetch(space, 6) is space.w_nil
    assert w_caller.fetch(space, 4).value == 3   # suspended after the send


def test_a_sent_method_keeps_arguments_and_temporaries_in_its_frame(image):
    # Object>>here: x | t |  t <- 5. ^ thisContext
    image.install("Object", "here:", assemble(
        push_const(5), assign_temp(0), pop(), push_const(6), push_const(7),
        prim(0, 35), stack_return()), temps=1)
    code = assemble(push_self(), push_const(3), mark(2), send(0),
                    stack_return())
    w_ctx = image.run(code, ["here:"])
    space = image.space
    # no Array until reflection asks; then they hold what the frame held
    assert w_ctx.w_args is None and w_ctx.w_temps is None
    w_args = w_ctx.fetch(space, 1)
    assert w_args.fetch(space, 0) is image.w_nil
    assert w_args.fetch(space, 1).value == 3
    assert w_ctx.fetch(space, 1) is w_ctx.fetch(space, 1)
    w_temps = w_ctx.fetch(space, 2)
    assert w_temps.size() == 1 and w_temps.fetch(space, 0).value == 5
    # slot 3 and stackTop count the operand stack only (6 and 7)
    assert w_ctx.fetch(space, 5).value == 2
    w_stack = w_ctx.fetch(space, 3)
    assert [w.value for w in w_stack.slots_w[:2]] == [6, 7]
    assert w_stack.slots_w[2] is image.w_nil


def test_writes_into_reflected_argument_and_temporary_arrays_are_seen(image):
    # Object>>probe: x | t |
    #   (thisContext at: 2) at: 2 put: 7.  (thisContext at: 3) at: 1 put: 9.
    #   ^ x + t
    def store_into_context_slot(slot, index, value):
        return [push_const(value), prim(0, 35), push_const(slot),
                prim(2, 30), push_const(index), prim(3, 5), pop()]
    parts = ([push_const(1), assign_temp(0), pop()] +
             store_into_context_slot(2, 2, 7) +
             store_into_context_slot(3, 1, 9) +
             [push_arg(1), push_temp(0), send_binary(2), stack_return()])
    image.install("Object", "probe:", assemble(*parts), temps=1)
    code = assemble(push_self(), push_const(3), mark(2), send(0),
                    stack_return())
    assert image.run(code, ["probe:"]).value == 7 + 9


def test_a_block_shares_its_home_frames_temporaries(image):
    install_block_value(image)
    # Object>>count | t |  t <- 4. [:x | t <- t + x] value: 3. ^ t
    image.install("Object", "count", assemble(
        push_const(4), assign_temp(0), pop(),
        push_block(1, 10),                               # 3..4, body at 5
        push_temp(0), push_temp(1), send_binary(2), assign_temp(0),
        stack_return(),                                  # 5..9
        push_const(3), mark(2), send(0), pop(),          # 10..
        push_temp(0), stack_return()), ["value:"], temps=2)
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["count"]).value == 7


def test_a_temporary_past_the_declared_ones_is_an_error(image, capfd):
    image.install("Object", "bad", assemble(push_temp(3), stack_return()),
                  temps=1)
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["bad"]) is image.w_nil
    assert "cannot read temporary 3" in capfd.readouterr().err


def test_redefining_a_called_method_runs_the_new_one(image):
    image.install("Object", "answer", assemble(push_const(1), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_method = image.make_method(image.cls("Object"), "test", code, ["answer"])
    assert image.run_method(w_method, image.w_nil).value == 1
    image.install("Object", "answer", assemble(push_const(2), stack_return()))
    assert image.run_method(w_method, image.w_nil).value == 2


def test_writing_a_method_into_the_methods_array_in_place(image):
    # `methods at: i put: newMethod` without replacing the Array
    space = image.space
    image.install("Object", "answer", assemble(push_const(1), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_caller = image.make_method(image.cls("Object"), "test", code, ["answer"])
    assert image.run_method(w_caller, image.w_nil).value == 1
    w_methods = image.cls("Object").slots_w[2]
    index = [w_m.slots_w[0].as_string() for w_m in w_methods.slots_w].index(
        "answer")
    w_new = image.make_method(image.cls("Object"), "answer",
                              assemble(push_const(2), stack_return()))
    w_methods.store(space, index, w_new)
    assert image.run_method(w_caller, image.w_nil).value == 2
    # an Array made at run time (raw integer slots) that becomes the
    # methods array: nil written in place removes the method
    w_dnu = image.make_method(image.cls("Object"), "doesNotUnderstand:",
                              assemble(push_const(9), stack_return()))
    w_fresh = space.new_array(2)
    w_fresh.store(space, 0, w_new)
    w_fresh.store(space, 1, w_dnu)
    image.cls("Object").store(space, 2, w_fresh)
    assert image.run_method(w_caller, image.w_nil).value == 2
    w_fresh.store(space, 0, space.w_nil)
    assert image.run_method(w_caller, image.w_nil).value == 9


def test_changing_the_parent_class_invalidates_lookups(image):
    image.subclass("A")
    image.subclass("B")
    image.subclass("C", "A")
    image.install("A", "who", assemble(push_const(1), stack_return()))
    image.install("B", "who", assemble(push_const(2), stack_return()))
    w_c = image.new("C")
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_method = image.make_method(image.cls("Object"), "test", code, ["who"])
    assert image.run_method(w_method, w_c).value == 1
    image.cls("C").store(image.space, 1, image.cls("B"))
    assert image.run_method(w_method, w_c).value == 2


def test_changing_a_method_object_invalidates_its_code(image):
    w_m = image.install("Object", "answer", assemble(push_const(1),
                                                     stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_method = image.make_method(image.cls("Object"), "test", code, ["answer"])
    assert image.run_method(w_method, image.w_nil).value == 1
    w_m.store(image.space, 1, W_BytesObject(image.cls("ByteArray"),
              [chr(b) for b in assemble(push_const(3), stack_return())]))
    assert image.run_method(w_method, image.w_nil).value == 3


def test_run_time_methods_and_classes_see_integer_slot_writes(image):
    # objects made at run time keep SmallInts and nil as raw words; once
    # one is a method or a class, writing such a slot must still flush
    space = image.space
    w_m = image.install("Object", "answer", assemble(push_const(1),
                                                     stack_return()))
    fresh = W_PointersObject.new_nils(w_m.getclass(space), 7)
    for k in range(7):
        fresh.store(space, k, w_m.fetch(space, k))
    assert fresh.ints is not None
    image.cls("Object").store(space, 2, space.wrap_list([fresh]))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    w_caller = image.make_method(image.cls("Object"), "test", code, ["answer"])
    assert image.run_method(w_caller, image.w_nil).value == 1
    # an absurd stackSize makes the method malformed, a sane one not
    fresh.store(space, 1, W_BytesObject(image.cls("ByteArray"), [chr(b) for b in
        assemble(push_const(2), push_const(3), send_binary(2),
                 stack_return())]))
    fresh.store(space, 3, W_SmallInt(10 ** 11))
    assert image.run_method(w_caller, image.w_nil) is image.w_nil
    fresh.store(space, 3, W_SmallInt(4))
    assert image.run_method(w_caller, image.w_nil).value == 5
    # a class made at run time whose parent becomes nil
    w_cls = image.subclass("Fresh")
    w_run_time = W_PointersObject.new_nils(w_cls.getclass(space), 6)
    for k in range(6):
        w_run_time.store(space, k, w_cls.fetch(space, k))
    w_obj = W_PointersObject(w_run_time, [])
    assert image.send(w_obj, "answer").value == 5     # inherited
    w_run_time.store(space, 1, space.w_nil)
    assert classinfo_of(space, w_run_time).lookup("answer") is None


def test_failed_primitive_sends_error(image):
    # Object>>error: msg  ^ msg
    image.install("Object", "error:", assemble(push_arg(1), stack_return()))
    code = assemble(push_const(1), push_const(0), prim(2, 11), stack_return())
    w = image.run(code)
    assert w.as_string() == "primitive 11 failed: division by zero"


def test_unknown_primitive_sends_error(image):
    image.install("Object", "error:", assemble(push_arg(1), stack_return()))
    w = image.run(assemble(prim(0, 127), stack_return()))
    assert w.as_string() == "primitive 127 failed: unknown primitive 127"


def test_bad_opcode_is_a_vm_error_not_a_crash(image, capfd):
    assert image.run([0x00, 0x00]) is image.w_nil
    assert "unknown opcode 0" in capfd.readouterr().err
    assert image.run(assemble(push_const(1))) is image.w_nil
    assert "ran off the end" in capfd.readouterr().err


def test_operand_stack_grows_past_the_compilers_stack_size(image):
    # spec 7.22: 30 literals then MarkArguments 30 (a literal array) in a
    # method whose compiler said 3
    code = assemble(*[push_const(i % 10) for i in range(30)]) + \
        assemble(mark(30), stack_return())
    w = image.run(code, stack=3)
    assert ints(w) == [i % 10 for i in range(30)]
    # a block body gets the same stack
    install_block_value(image)
    body = assemble(*[push_const(7)] * 20) + assemble(mark(20),
                                                       stack_return())
    code = assemble(push_block(0, 2 + len(body))) + body + \
        assemble(mark(1), send(0), stack_return())
    assert ints(image.run(code, ["value"], stack=2)) == [7] * 20


def test_stack_depth_analysis():
    from spyvm.stackdepth import max_stack_depth
    def depth(*parts):
        return max_stack_depth("".join(chr(b) for b in assemble(*parts)))
    assert depth(push_const(1), push_const(2), send_binary(2),
                 stack_return()) == 2
    # both arms of a branch, and the primitive's arguments
    assert depth(push_true(), branch_if_true(7), push_const(1), push_const(2),
                 push_const(3), prim(3, 36), stack_return()) == 3
    # a loop that pushes forever is cut off; the interpreter checks it
    assert depth(push_const(1), branch(0)) == 4
    assert depth() == 0


def test_stack_overflow_of_the_operand_stack_is_an_error(image, capfd):
    # a loop that only pushes overflows any stack the analysis can size
    code = assemble(push_const(1), branch(0))
    assert image.run(code, stack=3) is image.w_nil
    assert "operand stack overflow" in capfd.readouterr().err


def test_absurd_frame_sizes_are_a_clean_error(image, capfd):
    caller = assemble(push_self(), mark(1), send(0), stack_return())
    for stack, temps in [(10 ** 11, 0), (0, 10 ** 11)]:
        image.install("Object", "huge", assemble(push_const(1),
                      stack_return()), stack=stack, temps=temps)
        assert image.run(caller, ["huge"]) is image.w_nil
        err = capfd.readouterr().err
        assert "absurd stackSize or temporarySize" in err


def test_deep_recursion_past_the_host_stack_is_a_smalltalk_error(image, capfd):
    import sys
    # Object>>down  ^ self down
    image.install("Object", "down", assemble(push_self(), mark(1), send(0),
                                             stack_return()), ["down"])
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(3000)
    try:
        w = image.send(image.w_nil, "down")
    finally:
        sys.setrecursionlimit(old)
    assert w is image.w_nil
    err = capfd.readouterr().err
    assert "stack overflow" in err
    assert "down[Undefined,]" in err
    assert "more contexts" in err


def test_operand_stack_underflow_is_an_error_in_its_method(image, capfd):
    # Object>>under pops an empty stack (a corrupt method): a Smalltalk
    # error that names the method, and the caller's run goes on
    image.install("Object", "under", assemble(pop(), push_self(),
                                              stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["under"], rcv=image.new("Object")) is image.w_nil
    assert image.interp.error_count == 1
    err = capfd.readouterr().err
    assert "operand stack underflow in under" in err
    assert "under[Object" in err
