"""The profiler's symbol table (spy --profile): every CompiledCode is named
`Class>>selector` in the form vmprof requires, and an untouched run never
registers anything (the profiler costs nothing when off)."""

from rpython.rlib import rvmprof

from spyvm import profiler
from spyvm.code import code_of_method
from tests.mini import mini_image, assemble, push_arg, stack_return, push_const, \
    send_binary


def method(image, cls, selector):
    w = image.install(cls, selector, assemble(push_arg(0), push_const(1),
                                              send_binary(2), stack_return()))
    return code_of_method(image.space, w)


def test_names_have_three_colons_and_decode_back():
    image = mini_image()
    image.subclass("Point")
    for selector, shown in [("x", "Point>>x"), ("at:put:", "Point>>at;put;"),
                            ("+", "Point>>+"), ("value:", "Point>>value;")]:
        name = profiler.code_name(method(image, "Point", selector))
        assert name == "st:%s:0:spy" % shown
        assert name.count(":") == 3 and len(name) <= rvmprof.MAX_FUNC_NAME


def test_long_selectors_are_cut_to_vmprof_limit():
    image = mini_image()
    image.subclass("Long")
    name = profiler.code_name(method(image, "Long", "a:" * 600))
    assert name.count(":") == 3 and len(name) <= rvmprof.MAX_FUNC_NAME


def test_code_objects_carry_a_vmprof_id_only_once_registered():
    image = mini_image()
    image.subclass("Quiet")
    code = method(image, "Quiet", "run")
    assert not profiler.state.on
    image.send(image.new("Quiet"), "run")
    assert code._vmprof_unique_id == 0      # never registered while off
    assert profiler.jitdriver_unique_id(0, None, code, None) == 0


def test_stack_entries_are_linked_and_reused():
    """enter_code/leave_code as RPython (annotated, rtyped, run on the
    llinterpreter): entries chain to the caller's and come back from the
    free list instead of being malloc'ed per activation."""
    from rpython.rtyper.test.test_llinterp import interpret
    from rpython.rtyper.lltypesystem import lltype
    from rpython.rlib.rvmprof import cintf

    def f(n):
        cintf.vmprof_tl_stack.setraw(lltype.nullptr(cintf.VMPROFSTACK))
        first = profiler.enter_code(4)
        profiler.leave_code(first)
        total = 0
        for i in range(n):
            outer = profiler.enter_code(4 * (i + 1))
            inner = profiler.enter_code(8)
            total += inner.c_next.c_value
            if outer == first:
                total += 1000
            profiler.leave_code(inner)
            profiler.leave_code(outer)
        if cintf.vmprof_tl_stack.getraw():
            total = -1
        return total
    # the free list keeps its entries for the next activations
    assert interpret(f, [3], malloc_check=False) == 4 + 8 + 12 + 3000


def test_profile_option():
    import pytest
    from spyvm.main import parse_args, UsageError
    assert parse_args(["spy", "--profile", "r.prof", "x.st"]).profile == "r.prof"
    assert parse_args(["spy", "x.st"]).profile == ""
    with pytest.raises(UsageError):
        parse_args(["spy", "--profile"])
