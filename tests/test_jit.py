"""What the traces contain: LLJitMixin runs the JIT untranslated on small
hand-assembled Smalltalk methods (tests/mini.py)."""

import pytest

from rpython.jit.metainterp.test.support import LLJitMixin

from spyvm.model import W_SmallInt
from spyvm.interpreter import jitdriver
from tests.mini import *


def counting_loop(body, literals=(), temps=2):
    """sum <- 0. i <- 0. [i < self] whileTrue: [BODY. i <- i + 1]. ^ sum

    temp 0 is sum, temp 1 is i; BODY must leave the stack as it found it.
    """
    head = assemble(push_const(0), assign_temp(0), pop(),
                    push_const(0), assign_temp(1), pop())
    loop_start = len(head)
    test = assemble(push_temp(1), push_self(), send_binary(0))
    step = assemble(push_temp(1), push_const(1), send_binary(2),
                    assign_temp(1), pop())
    exit_at = loop_start + len(test) + 2 + len(body) + len(step) + 2
    code = assemble(head, test, branch_if_false(exit_at), body, step,
                    branch(loop_start), push_temp(0), stack_return())
    assert code[exit_at:] == assemble(push_temp(0), stack_return())
    return code


def add_to_sum(*value_code):
    """sum <- sum + VALUE"""
    return assemble(push_temp(0), assemble(*value_code), send_binary(2),
                    assign_temp(0), pop())


class TestTraces(LLJitMixin):

    def run_loop(self, image, code, literals=(), n=100, temps=2):
        w_method = image.make_method(image.cls("Object"), "loop", code,
                                     literals, 8, temps)
        def main(n):
            w_result = image.run_method(w_method, W_SmallInt(n))
            assert isinstance(w_result, W_SmallInt)
            return w_result.value
        return self.meta_interp(main, [n], listops=True, backendopt=True,
                                inline=True)

    def test_smallint_loop_has_no_calls_and_no_allocations(self):
        image = mini_image()
        code = counting_loop(add_to_sum(push_temp(1)))
        assert self.run_loop(image, code) == sum(range(100))
        self.check_trace_count(1)
        self.check_resops(call_r=0, call_i=0, call_n=0, new=0,
                          new_with_vtable=0, new_array=0,
                          new_array_clear=0)
        # sum + i needs an overflow check; i + 1 does not (i < self)
        self.check_resops(int_add_ovf=2, guard_no_overflow=2)

    def test_monomorphic_send_is_inlined(self):
        image = mini_image()
        # SmallInt>>double  ^ self + self
        image.install("SmallInt", "double", assemble(
            push_self(), push_self(), send_binary(2), stack_return()))
        code = counting_loop(add_to_sum(push_temp(1), mark(1), send(0)))
        assert self.run_loop(image, code, ["double"]) == 2 * sum(range(100))
        self.check_trace_count(1)
        self.check_resops(call_r=0, call_i=0, call_n=0,
                          call_assembler_r=0, call_assembler_i=0,
                          new_with_vtable=0)

    def test_redefining_a_method_invalidates_the_trace(self):
        image = mini_image()
        image.install("SmallInt", "value", assemble(push_const(1),
                                                    stack_return()))
        w_two = image.make_method(image.cls("SmallInt"), "value",
                                  assemble(push_const(2), stack_return()))
        # sum <- sum + i value, run 20 times; halfway through, SmallInt's
        # methods Array is replaced, as compileMethod: does
        code = counting_loop(add_to_sum(push_temp(1), mark(1), send(0)))
        w_method = image.make_method(image.cls("Object"), "loop", code,
                                     ["value"], 8, 2)
        w_smallint = image.cls("SmallInt")
        space = image.space
        def main(n):
            total = 0
            for k in range(n):
                if k == n // 2:
                    w_smallint.store(space, 2, space.wrap_list([w_two]))
                w_result = image.run_method(w_method, W_SmallInt(30))
                assert isinstance(w_result, W_SmallInt)
                total += w_result.value
            return total
        res = self.meta_interp(main, [20], listops=True, backendopt=True,
                               inline=True)
        assert res == 10 * 30 + 10 * 60
