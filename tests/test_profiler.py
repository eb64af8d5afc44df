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
    assert profiler.jitdriver_unique_id(0, code) == 0
