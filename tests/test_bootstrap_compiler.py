"""Unit tests of the bootstrap compiler (spyvm/bootstrap/compiler.py)."""

import os
import pytest

from spyvm.bootstrap.compiler import compile_method, CompileError
from spyvm.bootstrap.sources import read_file
from spyvm.bootstrap.builder import Builder


def code(src, inst=(), cvars=()):
    return compile_method(src, list(inst), list(cvars))


def test_return_constant_sum():
    m = code("foo ^ 3 + 4")
    assert m.selector == "foo"
    # PushConstant 3, PushConstant 4, SendBinary +, StackReturn, PopTop, SelfReturn
    assert m.code == [0x53, 0x54, 0xB2, 0xF2, 0xF5, 0xF1]
    assert m.stack_size == 2
    assert m.temp_size == 0


def test_empty_method():
    m = code("noop")
    assert m.code == [0xF1]
    assert m.stack_size == 0


def test_keyword_send_and_literals():
    m = code("at: i put: v ^ self foo: i bar: 'x'")
    assert m.selector == "at:put:"
    assert m.code == [0x20, 0x21, 0x40, 0x83, 0x91, 0xF2, 0xF5, 0xF1]
    assert m.literals == [("string", "x"), ("string", "foo:bar:")]
    assert m.stack_size == 3


def test_instance_variables_and_assignment():
    m = code("setX: a x <- a", inst=["x", "y"])
    assert m.code == [0x21, 0x60, 0xF5, 0xF1]


def test_class_variable():
    m = code("c ^ Count", cvars=["Count"])
    assert m.code == [0xE0, 0xF2, 0xF5, 0xF1]


def test_temporaries_and_unary_special():
    m = code("t | a | a <- nil. ^ a isNil")
    assert m.code == [0x5A, 0x70, 0xF5, 0x30, 0xA0, 0xF2, 0xF5, 0xF1]
    assert m.temp_size == 1


def test_if_true_if_false_inlined():
    m = code("f: x ^ x ifTrue: [ 1 ] ifFalse: [ 2 ]")
    assert m.code == [0x21, 0xF8, 6, 0x51, 0xF6, 7, 0x52, 0xF2, 0xF5, 0xF1]
    assert m.stack_size == 1


def test_if_true_inlined_pushes_nil_else():
    m = code("f: x ^ x ifTrue: [ 1 ]")
    assert m.code == [0x21, 0xF8, 6, 0x51, 0xF6, 7, 0x5A, 0xF2, 0xF5, 0xF1]


def test_while_true_inlined():
    m = code("w | i | i <- 0. [ i < 3 ] whileTrue: [ i <- i + 1 ]")
    assert m.code == [0x50, 0x70, 0xF5,
                      0x30, 0x53, 0xB0, 0xF8, 15,
                      0x30, 0x51, 0xB2, 0x70, 0xF5, 0xF6, 3,
                      0x5A, 0xF5, 0xF1]
    assert m.stack_size == 2


def test_block_parameters_get_their_own_temporaries():
    m = code("b | t | ^ [:x :y | x + y + t ]")
    assert m.code[:2] == [0xC1, 8]
    assert m.temp_size == 3


def test_sibling_blocks_do_not_share_slots():
    m = code("b #(1) do: [:x | x ]. #(2) do: [:y | y ]")
    assert m.temp_size == 2


def test_non_local_return_in_block():
    m = code("f ^ [ ^ 1 ] value")
    # PushBlock 0 target; PushConstant 1; BlockReturn; StackReturn
    assert m.code[:5] == [0xC0, 5, 0x51, 0xF3, 0xF2]


def test_super_send():
    m = code("foo ^ super foo")
    assert m.code == [0x20, 0x81, 0xFB, 0, 0xF2, 0xF5, 0xF1]


def test_primitive_and_array_literal():
    m = code("p ^ <24 (x printString) self>", inst=["x"])
    assert m.code[-5:] == [0xD2, 24, 0xF2, 0xF5, 0xF1]
    m = code("a ^ #(1 2 3)")
    assert m.code == [0x51, 0x52, 0x53, 0xD3, 36, 0xF2, 0xF5, 0xF1]
    assert m.stack_size == 3


def test_extended_literal_index():
    src = "f " + ". ".join("'s%d'" % i for i in range(20))
    m = code(src)
    assert 0x04 in m.code       # extended PushLiteral
    assert len(m.literals) == 20


def test_negative_and_large_literals():
    m = code("f ^ -5")
    assert m.literals == [("int", -5)]
    m = code("f ^ 3 - 5")
    assert m.literals == [("string", "-")]


def test_stack_size_counts_nested_sends():
    m = code("f ^ self a: 1 b: (self c: 2 d: (self e: 3 f: 4))")
    assert m.stack_size == 7


def test_errors_have_line_numbers():
    with pytest.raises(CompileError) as e:
        compile_method("foo\n  ^ (3 + \n", first_line=10)
    assert e.value.line == 12
    with pytest.raises(CompileError) as e:
        compile_method("foo\n  bar <- 3", first_line=1)
    assert "bar" in e.value.msg
    with pytest.raises(CompileError) as e:
        compile_method("foo [ | t | t ]")
    assert "block temporaries" in e.value.msg
    with pytest.raises(CompileError) as e:
        compile_method("foo: a | a | ^ a")
    assert "doubly defined" in e.value.msg


def test_jump_beyond_255_is_an_error():
    body = " ".join(["self foo: 1 bar: 2."] * 80)
    with pytest.raises(CompileError) as e:
        compile_method("f true ifTrue: [ %s ]" % body)
    assert "255" in e.value.msg


def test_source_errors_name_file_and_line(tmpdir):
    import shutil
    from spyvm.bootstrap.builder import build_space, DEFAULT_SOURCE_DIR
    src = tmpdir.join("source")
    shutil.copytree(DEFAULT_SOURCE_DIR, str(src))
    bad = src.join("zz-bad.st")
    bad.write("\n\nMETHOD Object\nfoo\n  ^ undefinedName\n!\n")
    with pytest.raises(CompileError) as e:
        build_space(str(src))
    assert e.value.filename == str(bad)
    assert e.value.line == 5
    assert "zz-bad.st:5: undefined variable undefinedName" in str(e.value)


def test_unterminated_chunk(tmpdir):
    path = tmpdir.join("bad.st")
    path.write("METHOD Object\nfoo\n  ^ 1\n")
    with pytest.raises(CompileError) as e:
        read_file(str(path), [], [])
    assert "bad.st:1" in str(e.value)
