"""Loop keys (spyvm/loopkey.py): which methods get one, interning, and how
far out the blocks are followed."""

from spyvm import loopkey
from spyvm.code import has_backward_branch, code_of_method
from spyvm.context import W_Context, W_Block
from tests.mini import *


def test_only_methods_with_a_backward_branch_have_a_loop():
    forward = assemble(push_true(), branch_if_false(4), push_const(1),
                       stack_return(), push_const(2), stack_return())
    assert not has_backward_branch(bytes(bytearray(forward)))
    loop = assemble(push_true(), branch_if_false(5), pop(), branch(0),
                    self_return())
    assert has_backward_branch(bytes(bytearray(loop)))
    # an operand byte that looks like a backward branch is not one:
    # primitive 246's number is the Branch opcode byte, and the next
    # instruction's first byte (1) would read as a target behind it
    operand = assemble(push_const(1), pop(), prim(1, 0xF6), push_inst(20),
                       self_return())
    assert operand[3:5] == branch(1)
    assert not has_backward_branch(bytes(bytearray(operand)))


def code_of(image, w_method):
    return code_of_method(image.space, w_method)


def looping_method(image):
    """loop: aBlock  [true] whileTrue: [aBlock value]"""
    return code_of(image, image.install("Object", "loop:", assemble(
        push_arg(1), mark(1), send(0), pop(), branch(0)), ["value"]))


def test_keys_are_interned():
    image = mini_image()
    code_a = code_of(image, image.install("Object", "a", assemble(
        self_return())))
    code_b = code_of(image, image.install("Object", "b", assemble(
        self_return())))
    root = image.space.root_key
    key = root.child(code_a, 3)
    assert root.child(code_a, 3) is key
    assert root.child(code_a, 5) is not key
    assert root.child(code_b, 3) is not key
    inner = key.child(code_b, 3)
    assert inner is key.child(code_b, 3)
    assert inner is not root.child(code_b, 3)
    assert inner.parent is key
    # each space interns its own keys: another image's code never stays
    # alive in this one's table
    assert mini_image().space.root_key.children == {}


def block(image, code, start_pc, w_home_args):
    return W_Block(code, w_home_args, image.space.new_array(1), start_pc,
                   image.w_nil, 0, None)


def context(image, code, args_w):
    return W_Context(code, image.space.wrap_list(args_w),
                     image.space.new_array(1), 4, 0, image.w_nil, None)


def key_of(image, ctx):
    return loopkey.key_of(image.space, ctx)


def test_a_looping_context_is_keyed_by_the_blocks_it_runs():
    image = mini_image()
    looping = looping_method(image)
    straight = code_of(image, image.install("Object", "once:", assemble(
        push_arg(1), mark(1), send(0), stack_return()), ["value"]))
    # a loop that runs no block (sends no value...): no key either
    counting = code_of(image, image.install("Object", "count:", assemble(
        push_arg(1), mark(1), send(0), pop(), branch(0)), ["size"]))
    caller = code_of(image, image.install("Object", "caller", assemble(
        self_return())))
    no_blocks = image.space.wrap_list([image.w_nil])
    w_outer = block(image, caller, 7, no_blocks)
    w_inner = block(image, caller, 9,
                    image.space.wrap_list([image.w_nil, w_outer]))
    # a method without a loop has no key: its traces stay shared
    assert key_of(image, context(image, straight,
                                  [image.w_nil, w_inner])) is None
    assert key_of(image, context(image, counting,
                          [image.w_nil, w_inner])) is None
    # no block among the arguments: the root key
    assert key_of(image, context(image, looping,
                                  [image.w_nil, image.w_nil])) is \
        image.space.root_key
    # the block, and the block among its home's arguments
    key = key_of(image, context(image, looping, [image.w_nil, w_inner]))
    assert (key.code, key.start_pc) == (caller, 9)
    assert (key.parent.code, key.parent.start_pc) == (caller, 7)
    assert key.parent.parent is image.space.root_key
    # the same blocks made again give the same key
    w_inner2 = block(image, caller, 9,
                     image.space.wrap_list([image.w_nil, w_outer]))
    assert key_of(image, context(image, looping,
                                  [image.w_nil, w_inner2])) is key
    # another block for the same loop gets another key
    w_other = block(image, caller, 11, no_blocks)
    assert key_of(image, context(image, looping,
                                  [image.w_nil, w_other])) is not key


def test_a_sent_context_is_keyed_by_the_arguments_in_its_frame():
    # a context made by a send keeps its arguments in its frame
    # (context.method_context): the key reads them there, and a block in a
    # temporary after them is not an argument
    from spyvm.context import method_context
    image = mini_image()
    space = image.space
    looping = code_of(image, image.install("Object", "loop:", assemble(
        push_arg(1), mark(1), send(0), pop(), branch(0)), ["value"],
        temps=1))
    caller = code_of(image, image.install("Object", "caller", assemble(
        self_return())))
    w_block = block(image, caller, 7, space.wrap_list([image.w_nil]))
    framed = method_context(space, looping,
                            space.wrap_list([image.w_nil, w_block]), 4,
                            image.w_nil)
    assert framed.w_args is None
    key = key_of(image, framed)
    assert (key.code, key.start_pc) == (caller, 7)
    assert key is key_of(image, context(image, looping,
                                        [image.w_nil, w_block]))
    assert framed.w_args is None        # the key made no Array
    in_temp = method_context(space, looping,
                             space.wrap_list([image.w_nil, image.w_nil]), 4,
                             image.w_nil)
    in_temp.store_temp(space, 0, w_block)
    assert key_of(image, in_temp) is space.root_key


def test_blocks_are_followed_at_most_max_depth_out():
    image = mini_image()
    looping = looping_method(image)
    caller = code_of(image, image.install("Object", "caller", assemble(
        self_return())))
    # a chain of blocks, each the argument of the next one's home, with a
    # cycle at the end: the key stops after MAX_DEPTH of them
    w_args = image.space.wrap_list([image.w_nil, image.w_nil])
    w_first = block(image, caller, 1, w_args)
    w_block = w_first
    for pc in range(2, 10):
        w_block = block(image, caller, pc,
                        image.space.wrap_list([image.w_nil, w_block]))
    w_args.slots_w[1] = w_block         # the cycle
    key = key_of(image, context(image, looping, [image.w_nil, w_block]))
    depth = 0
    while key is not image.space.root_key:
        depth += 1
        key = key.parent
    assert depth == loopkey.MAX_DEPTH


def test_no_loop_keys_gives_every_caller_one_key():
    image = mini_image()
    looping = looping_method(image)
    caller = code_of(image, image.install("Object", "caller", assemble(
        self_return())))
    image.space.config.loop_keys = False        # --no-loop-keys
    no_blocks = image.space.wrap_list([image.w_nil])
    for pc in (3, 5):
        ctx = context(image, looping,
                      [image.w_nil, block(image, caller, pc, no_blocks)])
        assert key_of(image, ctx) is image.space.root_key


def counting_method(image):
    """count: n  | i |  i <- 0. [i < n] whileTrue: [i <- i + 1]. ^ i"""
    return image.install("Object", "count:", assemble(
        push_const(0), assign_temp(0), pop(),            # 0..2
        push_temp(0), push_arg(1), send_binary(0),       # 3..5  i < n
        branch_if_false(17),                             # 6..7
        push_temp(0), push_const(1), send_binary(2),     # 8..10 i + 1
        assign_temp(0), pop(),                           # 11..12
        branch(3),                                       # 13..14
        pop(), pop(),                                    # 15..16 (unreached)
        push_temp(0), stack_return()), temps=1)          # 17..18


def test_a_loop_is_short_until_an_activation_passes_the_limit():
    """--short-loop (Interpreter.unrolls_here): a loop that never took more
    backward branches than the limit in one activation stays short, so
    traces may unroll it; the first activation past the limit marks it
    long for good."""
    image = mini_image()
    image.space.config.short_loop = 4
    w_method = counting_method(image)
    code = code_of(image, w_method)
    assert image.run_method(w_method, image.w_nil, W_SmallInt(4)).value == 4
    assert not code.long_loop
    assert image.run_method(w_method, image.w_nil, W_SmallInt(5)).value == 5
    assert code.long_loop
    # and the loop still runs, in every later activation
    assert image.run_method(w_method, image.w_nil, W_SmallInt(2)).value == 2
    assert code.long_loop


def test_without_short_loops_no_loop_is_marked():
    image = mini_image()
    image.space.config.short_loop = 0
    w_method = counting_method(image)
    assert image.run_method(w_method, image.w_nil, W_SmallInt(50)).value == 50
    assert not code_of(image, w_method).long_loop


def test_a_keyed_loop_is_marked_in_its_key():
    """loop: aBlock runs a block, so its loop has a key per block; the
    flag goes to the key, and the method's own flag stays clear."""
    image = mini_image()
    image.space.config.short_loop = 2
    code = looping_method(image)
    assert code.runs_blocks
    key = image.space.root_key.child(code, 3)
    loopkey.mark_long(code, key)
    assert loopkey.is_long(code, key)
    assert not loopkey.is_long(code, None)
    assert not code.long_loop
