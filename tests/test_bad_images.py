"""Bootable mutants of spy's own image: a pointer in a method slot, a
method field or a class's size changed, so the image still loads and boots
but `-e '3 + 4'` meets the damage.  Each must end with a clean Smalltalk
error or `spy:` line and exit 1 or 2 -- never a crash, a signal or an
unbounded process."""

import pytest

from spyvm.objspace import ObjSpace
from spyvm.image_reader import load_image
from spyvm.hostio import read_image_file
from spyvm.image_writer import serialize_image
from spyvm.lookup import classinfo_of
from spyvm.model import W_SmallInt, W_BytesObject


def method_of(space, class_name, selector):
    w_class = space.find_class(class_name)
    return classinfo_of(space, w_class).lookup(selector).w_method


def literals_nil(space):
    """SmallInt printString loses its literals (slot 2 -> nil)."""
    w_m = method_of(space, "SmallInt", "printString")
    w_m.store(space, 2, space.w_nil)


def bytecodes_to_a_class(space):
    """Object>>printString's byteCodes slot points at a class."""
    w_m = method_of(space, "SmallInt", "printString")
    w_m.store(space, 1, space.w_Array)


def absurd_stack_size(space):
    w_m = method_of(space, "SmallInt", "printString")
    w_m.store(space, 3, W_SmallInt(2 ** 31 - 1))


def huge_class_size(space):
    """Parser's instance size 2^31-1: every doIt's `Parser new` asks for
    a 2^31-slot object."""
    space.find_class("Parser").store(space, 3, W_SmallInt(2 ** 31 - 1))


def dnu_recursion(space):
    """doesNotUnderstand: itself sends a selector nothing understands, so
    every doesNotUnderstand: recurses into another."""
    w_m = method_of(space, "Object", "doesNotUnderstand:")
    w_literals = w_m.fetch(space, 2)
    for i in range(w_literals.size()):
        if isinstance(w_literals.fetch(space, i), W_BytesObject):
            w_literals.store(space, i, space.wrap_string("zorkZork"))
            return
    raise AssertionError("no selector literal")


MUTANTS = [
    (literals_nil, "no send site"),
    (bytecodes_to_a_class, "malformed method"),
    (absurd_stack_size, "absurd stackSize"),
    (huge_class_size, "out of memory"),
]


def make_mutant(own_image, tmp_path, mutate):
    space = ObjSpace()
    load_image(space, read_image_file(own_image))
    mutate(space)
    path = tmp_path / ("%s.image" % mutate.__name__)
    path.write_bytes(serialize_image(space))
    return str(path)


def check_clean(r, message):
    """`message` may be a tuple of texts, any of which will do."""
    assert r.status in (1, 2), r
    assert "Traceback" not in r.err and "internal error" not in r.err, r
    messages = message if isinstance(message, tuple) else (message,)
    assert any(m in r.err for m in messages), r


@pytest.mark.parametrize("mutate, message", MUTANTS)
def test_bootable_mutant_untranslated(run_untranslated, own_image, tmp_path,
                                      mutate, message):
    path = make_mutant(own_image, tmp_path, mutate)
    r = run_untranslated(path, "-e", "3 + 4", "-e", "'still here'")
    check_clean(r, message)


@pytest.mark.parametrize("mutate, message", MUTANTS + [
    # a DNU recursion keeps an Array and contexts per level: the host stack
    # or the watchdog's memory limit (watchdog.py) ends it, whichever first
    (dnu_recursion, ("stack overflow", "out of memory"))])
def test_bootable_mutant_translated(run_binary, own_image, tmp_path, mutate,
                                    message):
    path = make_mutant(own_image, tmp_path, mutate)
    r = run_binary(path, "-e", "3 + 4", "-e", "3 zork")
    check_clean(r, message)
