"""Pure leaf methods (spyvm/pureleaf.py): which methods qualify, that
`evaluate` answers what the interpreter answers, and that it leaves every
other case to the ordinary send (errors and backtraces included)."""

import pytest

from spyvm import pureleaf
from spyvm.code import is_pure_leaf, code_of_method, NOT_FOUND, MAX_FAILURES
from spyvm.model import W_SmallInt, W_PointersObject
from spyvm.pic import SendSite, SEND
from tests.mini import *


@pytest.fixture
def image():
    return mini_image()


def test_which_methods_are_pure_leaves():
    pure = [
        assemble(push_arg(1), push_const(3), send_binary(2), stack_return()),
        assemble(push_inst(0), stack_return()),
        assemble(self_return()),
        assemble(push_self(), send_unary(0), stack_return()),
        # ifTrue:ifFalse: compiled inline: forward branches only
        assemble(push_arg(1), branch_if_false(6), push_const(1), branch(7),
                 push_const(2), stack_return()),
        assemble(push_lit(0), dup(), pop(), stack_return()),
    ]
    impure = [
        assemble(push_const(1), assign_inst(0), stack_return()),
        assemble(push_const(1), assign_temp(0), stack_return()),
        assemble(push_self(), mark(1), send(0), stack_return()),
        assemble(prim(0, 35), stack_return()),
        assemble(push_block(1, 5), stack_return()),
        assemble(push_classvar(0), stack_return()),
        assemble(push_true(), branch_if_false(5), branch(0), self_return()),
        assemble(push_self(), push_self(), super_send(0), stack_return()),
        assemble(push_const(1), block_return()),
        [bc_byte for bc_byte in assemble(push_const(1), branch(9))][:-1],
        assemble(*[push_const(1)] * 40 + [stack_return()]),
        # what the ordinary way reports as an error is left to it: stack
        # underflow, running off the end, a branch off the end or into an
        # instruction's operand, a stack deeper than the scratch stack,
        # two depths where paths meet
        assemble(stack_return()),
        assemble(push_const(1)),
        assemble(push_true(), branch_if_false(4), self_return()),
        assemble(push_true(), branch_if_false(2), self_return()),
        assemble(*[push_const(1)] * 17 + [stack_return()]),
        assemble(push_true(), branch_if_false(5), push_const(1),
                 push_const(2), stack_return()),
        # undefined operands
        assemble(push_const(13), stack_return()),
        assemble(push_self(), push_self(), send_binary(3), stack_return()),
        assemble(push_self(), send_unary(2), stack_return()),
        # the receiver and two arguments are all a leaf may read
        assemble(push_arg(3), stack_return()),
    ]
    for bytes in pure:
        assert is_pure_leaf("".join(map(chr, bytes))), bytes
    for bytes in impure:
        assert not is_pure_leaf("".join(map(chr, bytes))), bytes
    # literals and temporaries must exist
    push_lit_1 = "".join(map(chr, assemble(push_lit(1), stack_return())))
    assert is_pure_leaf(push_lit_1, literal_count=2)
    assert not is_pure_leaf(push_lit_1, literal_count=1)
    push_temp_1 = "".join(map(chr, assemble(push_temp(1), stack_return())))
    assert is_pure_leaf(push_temp_1, temp_size=2)
    assert not is_pure_leaf(push_temp_1, temp_size=1)


def code(image, bytecodes, literals=(), stack=8, temps=0):
    w_method = image.make_method(image.cls("Object"), "leaf", bytecodes,
                                 literals, stack, temps)
    return code_of_method(image.space, w_method)


def evaluate(image, bytecodes, args_w, literals=(), stack=8, temps=0):
    c = code(image, bytecodes, literals, stack, temps)
    assert c.leaf_program is not None
    w = pureleaf.evaluate(image.space, c, image.space.wrap_list(args_w))
    # the scratch stack keeps nothing alive
    assert image.space.leaf_scratch.stack_w == \
        [None] * len(image.space.leaf_scratch.stack_w)
    return w


def test_evaluate_answers_what_the_interpreter_answers(image):
    space = image.space
    w_point = image.new("Object", W_SmallInt(7), W_SmallInt(8))
    cases = [
        (assemble(push_arg(1), push_const(3), send_binary(2), stack_return()),
         [image.w_nil, W_SmallInt(39)], ()),
        (assemble(push_arg(1), push_lit(0), send_binary(0), stack_return()),
         [image.w_nil, W_SmallInt(5)], [W_SmallInt(6)]),
        (assemble(push_arg(1), push_arg(2), send_binary(1), stack_return()),
         [image.w_nil, W_SmallInt(6), W_SmallInt(5)], ()),
        (assemble(push_inst(1), stack_return()), [w_point], ()),
        (assemble(self_return()), [w_point], ()),
        (assemble(push_temp(0), send_unary(0), stack_return()),
         [w_point], ()),
        (assemble(push_self(), send_unary(1), stack_return()),
         [image.w_nil], ()),
        (assemble(push_arg(1), branch_if_false(6), push_const(1), branch(7),
                  push_const(2), stack_return()),
         [image.w_nil, space.w_false], ()),
        (assemble(push_arg(1), branch_if_true(6), push_const(1), branch(7),
                  push_const(2), stack_return()),
         [image.w_nil, W_SmallInt(0)], ()),
        (assemble(push_true(), dup(), pop(), stack_return()), [w_point], ()),
    ]
    for bytecodes, args_w, literals in cases:
        c = code(image, bytecodes, literals, temps=1)
        expected = image.run_method(c.w_method, *args_w)
        w = evaluate(image, bytecodes, args_w, literals, temps=1)
        if isinstance(expected, W_SmallInt):
            assert isinstance(w, W_SmallInt) and w.value == expected.value
        else:
            assert w is expected


def test_evaluate_leaves_the_rest_to_the_ordinary_send(image):
    w_obj = image.new("Object")
    big = W_SmallInt(2 ** 62)
    cases = [
        # SendBinary whose fast path fails: a real send
        (assemble(push_arg(1), push_const(1), send_binary(2), stack_return()),
         [image.w_nil, w_obj], 8, 0),
        (assemble(push_arg(1), push_arg(1), send_binary(2), stack_return()),
         [image.w_nil, big], 8, 0),
        # slots that cannot be read, arguments that were not passed
        (assemble(push_inst(3), stack_return()), [w_obj], 8, 0),
        (assemble(push_inst(0), stack_return()), [W_SmallInt(3)], 8, 0),
        (assemble(push_arg(2), stack_return()), [w_obj, w_obj], 8, 0),
    ]
    for bytecodes, args_w, stack, temps in cases:
        assert evaluate(image, bytecodes, args_w, (), stack, temps) is None


def test_a_failed_fast_path_still_sends_and_reports(image, capfd):
    # Object>>leaf: x  ^ x + 1, sent with a non-integer: the real send of
    # `+` fails with doesNotUnderstand, reported with the leaf's context
    image.install("Object", "leaf:", assemble(push_arg(1), push_const(1),
                                              send_binary(2), stack_return()))
    caller = assemble(push_self(), push_self(), mark(2), send(0),
                      stack_return())
    w = image.run(caller, ["leaf:"], rcv=image.new("Object"))
    assert w is image.w_nil
    err = capfd.readouterr().err
    assert 'does not understand "+"' in err, err
    assert "leaf:[Object,Object,]\ntest[Object,]\n" in err, err


def test_sends_to_pure_leaves_answer_as_before(image):
    image.install("SmallInt", "plus3", assemble(push_self(), push_const(3),
                                                send_binary(2),
                                                stack_return()))
    # sum <- 0. i <- 0. [i < 50] whileTrue: [sum <- sum + i plus3. i <- i+1]
    code = assemble(
        push_const(0), assign_temp(0), pop(), push_const(0), assign_temp(1),
        pop(),
        push_temp(1), push_lit(1), send_binary(0), branch_if_false(25),
        push_temp(0), push_temp(1), mark(1), send(0), send_binary(2),
        assign_temp(0), pop(),
        push_temp(1), push_const(1), send_binary(2), assign_temp(1), pop(),
        branch(6),
        push_temp(0), stack_return())
    assert code[25:] == assemble(push_temp(0), stack_return())
    w = image.run(code, ["plus3", W_SmallInt(50)], temps=2)
    assert w.value == sum(i + 3 for i in range(50))


def test_slots_held_as_raw_words(image):
    # objects made at run time keep SmallInts and nil as raw words
    # (model.W_PointersObject): the leaf reads them without a box
    w_obj = W_PointersObject.new_nils(image.cls("Object"), 2)
    w_obj.store(image.space, 0, W_SmallInt(40))
    add_slot = assemble(push_inst(0), push_const(2), send_binary(2),
                        stack_return())
    w = evaluate(image, add_slot, [w_obj])
    assert isinstance(w, W_SmallInt) and w.value == 42
    nil_slot = assemble(push_inst(1), send_unary(0), stack_return())
    assert evaluate(image, nil_slot, [w_obj]) is image.space.w_true
    assert evaluate(image, assemble(push_inst(1), stack_return()),
                    [w_obj]) is image.w_nil


def test_megamorphic_send_probes_the_global_cache(image):
    """pureleaf.megamorphic_send, the one residual call of a megamorphic
    site in a trace: a value when the cache knows a pure leaf, else None
    and the code the ordinary send must run in method_cache.found."""
    space = image.space
    cache = space.method_cache
    image.install("Object", "plus2:", assemble(push_arg(1), push_const(2),
                                               send_binary(2),
                                               stack_return()))
    image.install("Object", "other", assemble(push_const(1), assign_temp(0),
                                              stack_return()), temps=1)
    w_class = image.cls("Object")
    w_rcv = image.new("Object")

    def send(selector, *args_w):
        site = SendSite(selector, space.wrap_string(selector), SEND, "test")
        args_w = [w_rcv] + list(args_w) + [None] * (2 - len(args_w))
        return pureleaf.megamorphic_send(space, site, w_class,
                                         3 - args_w.count(None), *args_w)

    # not cached yet: the send looks up the ordinary way
    assert send("plus2:", W_SmallInt(5)) is None
    assert cache.found is NOT_FOUND
    code = cache.lookup(space, w_class, "plus2:")
    w = send("plus2:", W_SmallInt(5))
    # the SmallInt comes unboxed: the caller makes the box
    assert w is pureleaf.INT_RESULT
    assert pureleaf.box(space, w).value == 7
    # a failed fast path, a method that is no pure leaf, a selector that is
    # not understood: the ordinary send, with the code it runs
    assert send("plus2:", w_rcv) is None and cache.found is code
    other = cache.lookup(space, w_class, "other")
    assert send("other") is None and cache.found is other
    assert cache.lookup(space, w_class, "nonesuch") is None
    assert send("nonesuch") is None and cache.found is None


# Pure methods that send: `work: x  ^ (x max: 0) + 5` sends max: to a
# SmallInt, whose method is a pure leaf
MAX = assemble(push_self(), push_arg(1), send_binary(0), branch_if_false(8),
               push_arg(1), branch(9), push_self(), stack_return())
WORK = assemble(push_arg(1), push_const(0), mark(2), send(0), push_const(5),
                send_binary(2), stack_return())


def install_work(image, max_code=MAX, temps=0):
    image.install("SmallInt", "max:", max_code, temps=temps)
    w_method = image.install("Object", "work:", WORK, ["max:"])
    return code_of_method(image.space, w_method)


def test_a_method_that_sends_is_pure_with_its_sites(image):
    work = install_work(image)
    assert work.leaf_program is not None
    assert [s.selector for s in work.leaf_program.sites] == ["max:"]
    # without its send sites (a bare byte string) it is not
    assert not is_pure_leaf("".join(map(chr, WORK)))
    impure = [
        # MarkArguments that no send follows
        assemble(push_self(), mark(1), stack_return()),
        # more than a receiver and two arguments
        assemble(push_self(), push_self(), push_self(), push_self(), mark(4),
                 send(0), stack_return()),
        # a branch straight to the send, past its MarkArguments
        assemble(push_self(), push_true(), branch_if_true(5), mark(1),
                 send(0), stack_return()),
    ]
    for bytes in impure:
        w_method = image.install("Object", "impure", bytes, ["max:"])
        assert code_of_method(image.space, w_method).leaf_program is None, \
            bytes


def test_a_pure_method_runs_its_sends_without_contexts(image):
    space = image.space
    work = install_work(image)
    w_rcv = image.new("Object")
    for x in [-3, 0, 7, 2 ** 40]:
        w = evaluate(image, WORK, [w_rcv, W_SmallInt(x)], ["max:"])
        assert isinstance(w, W_SmallInt) and w.value == max(x, 0) + 5
    # the first evaluation missed the global cache, looked max: up and
    # ran again; the cache now knows it
    assert space.method_cache.probe(space.w_SmallInt, "max:",
                                    work.leaf_program.sites[0].selector_hash
                                    ) is not NOT_FOUND
    # and the ordinary send agrees
    assert image.send(w_rcv, "work:", W_SmallInt(-3)).value == 5
    assert image.send(w_rcv, "work:", W_SmallInt(9)).value == 14


def test_a_pure_method_gives_up_before_any_effect(image, capfd):
    space = image.space
    work = install_work(image)
    w_rcv = image.new("Object")
    # the receiver of max: does not understand it: the ordinary send
    # reports it, with work:'s context in the backtrace
    w_obj = image.new("Object")
    assert evaluate(image, WORK, [w_rcv, w_obj], ["max:"]) is None
    assert image.send(w_rcv, "work:", w_obj) is image.w_nil
    err = capfd.readouterr().err
    assert 'does not understand "max:"' in err, err
    assert "work:[" in err, err
    # a callee that is not pure (it stores a temporary)
    install_work(image, assemble(push_self(), assign_temp(0), pop(),
                                 push_arg(1), stack_return()), temps=1)
    work = code_of_method(space, image.cls("Object").slots_w[2].slots_w[-1])
    assert work.leaf_program is not None
    assert evaluate(image, WORK, [w_rcv, W_SmallInt(3)], ["max:"]) is None
    assert image.send(w_rcv, "work:", W_SmallInt(3)).value == 5


def test_deep_pure_recursion_is_left_to_the_ordinary_way(image):
    # down: n  ^ n < 1 ifTrue: [0] ifFalse: [self down: n + -1]
    down = assemble(push_arg(1), push_const(1), send_binary(0),
                    branch_if_false(7), push_const(0), stack_return(),
                    push_self(), push_arg(1), push_lit(1), send_binary(2),
                    mark(2), send(0), stack_return())
    assert down[7:8] == push_self()
    w_method = image.install("Object", "down:", down,
                             ["down:", W_SmallInt(-1)])
    program = code_of_method(image.space, w_method).leaf_program
    assert program is not None
    w_rcv = image.new("Object")
    image.space.method_cache.lookup(image.space, image.cls("Object"),
                                    "down:")
    # four activations fit in one evaluation, five do not
    assert evaluate(image, down, [w_rcv, W_SmallInt(3)],
                    ["down:", W_SmallInt(-1)]).value == 0
    assert evaluate(image, down, [w_rcv, W_SmallInt(4)],
                    ["down:", W_SmallInt(-1)]) is None
    assert image.send(w_rcv, "down:", W_SmallInt(30)).value == 0
    # a method that gives up more often than it answers stops trying
    program.failures = 0
    for i in range(MAX_FAILURES):
        assert pureleaf.run(image.space, program, 2, w_rcv, W_SmallInt(9),
                            None) is None
    assert program.failures == MAX_FAILURES
    assert pureleaf.run(image.space, program, 2, w_rcv, W_SmallInt(0),
                        None) is None
    program.failures = 2
    assert pureleaf.run(image.space, program, 2, w_rcv, W_SmallInt(0),
                        None) is not None
    assert program.failures == 1


def test_megamorphic_send_of_a_method_that_sends(image):
    space = image.space
    cache = space.method_cache
    work = install_work(image)
    w_class = image.cls("Object")
    w_rcv = image.new("Object")
    site = SendSite("work:", space.wrap_string("work:"), SEND, "test")
    cache.lookup(space, w_class, "work:")
    # max: is not cached: the residual call gives up and names it
    assert pureleaf.megamorphic_send(space, site, w_class, 2, w_rcv,
                                     W_SmallInt(4), None) is None
    assert cache.found is work
    assert space.leaf_scratch.w_missed is space.w_SmallInt
    assert pureleaf.fill_missed(space)
    assert not pureleaf.fill_missed(space)
    w = pureleaf.megamorphic_send(space, site, w_class, 2, w_rcv,
                                  W_SmallInt(4), None)
    assert pureleaf.box(space, w).value == 9
    assert space.leaf_scratch.stack_w == \
        [None] * len(space.leaf_scratch.stack_w)


def test_a_megamorphic_site_evaluates_methods_that_send(image, monkeypatch):
    # the interpreter evaluates a pure method that sends only at a
    # megamorphic site (Interpreter.invoke): with --pic-size 1 the site
    # below turns megamorphic at its second receiver class
    image.space.config.pic_size = 1
    work = install_work(image)
    answered = []
    evaluate = pureleaf.evaluate

    def counting_evaluate(space, code, w_args):
        w = evaluate(space, code, w_args)
        if code is work:
            answered.append(w is not None)
        return w
    monkeypatch.setattr(pureleaf, "evaluate", counting_evaluate)
    # sum <- 0. i <- 0. [i < 50] whileTrue: [sum <- sum +
    #     ((i < 10 ifTrue: [obj] ifFalse: [i]) work: i + -20). i <- i + 1]
    code = assemble(
        push_const(0), assign_temp(0), pop(), push_const(0), assign_temp(1),
        pop(),
        push_temp(1), push_lit(1), send_binary(0), branch_if_false(36),
        push_temp(0), push_temp(1), push_lit(3), send_binary(0),
        branch_if_false(20), push_lit(4), branch(21), push_temp(1),
        push_temp(1), push_lit(2), send_binary(2), mark(2), send(0),
        send_binary(2), assign_temp(0), pop(),
        push_temp(1), push_const(1), send_binary(2), assign_temp(1), pop(),
        branch(6),
        push_temp(0), stack_return())
    assert code[20:21] == push_temp(1) and code[21:22] == push_temp(1)
    assert code[36:] == assemble(push_temp(0), stack_return())
    w = image.run(code, ["work:", W_SmallInt(50), W_SmallInt(-20),
                         W_SmallInt(10), image.new("Object")], temps=2)
    assert w.value == sum(max(i - 20, 0) + 5 for i in range(50))
    # the ten sends to the Object and the one that turned the site
    # megamorphic ran work: the ordinary way (and evaluated max:, a pure
    # leaf); the 39 after it were evaluated, and each answered
    assert answered == [True] * 39


def test_sends_in_pure_methods_cache_their_callee_per_site(image):
    space = image.space
    work = install_work(image)
    site = work.leaf_program.sites[0]
    w_rcv = image.new("Object")

    def work_value(w_x):
        w = pureleaf.evaluate(space, work, space.wrap_list([w_rcv, w_x]))
        return w.value if w is not None else None

    max_code = space.method_cache.lookup(space, space.w_SmallInt, "max:")
    assert work_value(W_SmallInt(-2)) == 5
    assert site.w_leaf_class is space.w_SmallInt
    assert site.leaf_callee is max_code.leaf_program
    # a new max: (min: in its place) is found, not the cached one
    image.install("SmallInt", "max:", assemble(
        push_self(), push_arg(1), send_binary(0), branch_if_false(8),
        push_self(), branch(9), push_arg(1), stack_return()))
    assert work_value(W_SmallInt(-2)) == 3
    assert work_value(W_SmallInt(4)) == 5
    # another receiver class at the site runs its own method
    w_point = image.subclass("Point")
    image.install(w_point, "max:", assemble(push_const(7), stack_return()))
    w_p = image.new("Point")
    assert work_value(w_p) == 12
    assert site.w_leaf_class is w_point
    assert work_value(W_SmallInt(9)) == 5
    assert site.w_leaf_class is space.w_SmallInt
