"""spyvm/framearray.py: contexts' temporaries and arguments Arrays answer
what any Array answers, from storage of their own."""

import sys

import pytest

from rpython.rlib.rarithmetic import intmask

from spyvm import framearray
from spyvm.code import code_of_method
from spyvm.context import W_Context
from spyvm.errors import PrimitiveFailed
from spyvm.framearray import NO_FRAME_WORDS, unerase
from spyvm.model import W_PointersObject, W_SmallInt, NIL_TAG, RAW_NIL
from tests.mini import mini_image


@pytest.fixture
def space():
    return mini_image().space


def values(space, w_obj):
    return [space_value(space, w_obj.fetch(space, i))
            for i in range(w_obj.size())]


def space_value(space, w_value):
    if isinstance(w_value, W_SmallInt):
        return w_value.value
    if w_value is space.w_nil:
        return "nil"
    return w_value


def test_temps_hold_smallints_as_words_and_objects_as_objects(space):
    w_temps = framearray.temps_array(space.w_Array, 4)
    assert w_temps.size() == 4
    assert w_temps.getclass(space) is space.w_Array
    assert values(space, w_temps) == ["nil"] * 4
    # no word list until a SmallInt is stored
    assert w_temps.words is NO_FRAME_WORDS
    w_temps.store(space, 0, W_SmallInt(0))
    w_temps.store(space, 1, space.w_true)
    w_temps.store(space, 2, W_SmallInt(-sys.maxint))
    assert values(space, w_temps) == [0, space.w_true, -sys.maxint, "nil"]
    assert [intmask(w) for w in w_temps.words] == [
        0 ^ NIL_TAG, RAW_NIL, -sys.maxint ^ NIL_TAG, RAW_NIL]
    assert w_temps.object_at(1) is space.w_true
    assert w_temps.object_at(0) is None and w_temps.word(0) == NIL_TAG


def test_a_slot_changes_from_word_to_object_and_back(space):
    w_temps = framearray.temps_array(space.w_Array, 2)
    w_temps.store(space, 0, W_SmallInt(7))
    w_temps.store(space, 0, space.w_false)
    assert w_temps.fetch(space, 0) is space.w_false
    w_temps.store(space, 0, W_SmallInt(8))
    assert w_temps.object_at(0) is None
    assert w_temps.fetch(space, 0).value == 8
    w_temps.store(space, 0, space.w_nil)
    assert w_temps.fetch(space, 0) is space.w_nil
    # the one SmallInt a word cannot hold is kept as an object
    w_temps.store(space, 1, W_SmallInt(NIL_TAG))
    assert w_temps.fetch(space, 1).value == NIL_TAG
    assert isinstance(w_temps.object_at(1), W_SmallInt)


def test_arguments_hold_objects_only(space):
    w_args = framearray.args_array(space.w_Array,
                                   [W_SmallInt(3), space.w_true])
    assert w_args.words is None
    assert w_args.object_at(0).value == 3
    w_args.store(space, 1, W_SmallInt(4))
    w_args.store(space, 0, space.w_nil)
    assert w_args.object_at(1).value == 4
    assert w_args.object_at(0) is space.w_nil
    assert values(space, w_args) == ["nil", 4]


def test_indices_out_of_bounds_fail(space):
    for w_obj in [framearray.temps_array(space.w_Array, 2),
                  framearray.args_array(space.w_Array, [space.w_nil])]:
        for index in [-1, w_obj.size()]:
            with pytest.raises(PrimitiveFailed):
                w_obj.fetch(space, index)
            with pytest.raises(PrimitiveFailed):
                w_obj.store(space, index, space.w_nil)


def test_switch_to_objects_makes_a_plain_array_for_good(space):
    w_temps = framearray.temps_array(space.w_Array, 3)
    w_temps.store(space, 0, W_SmallInt(5))
    w_temps.store(space, 1, space.w_true)
    w_temps.switch_to_objects(space)
    assert w_temps.objs is None and w_temps.words is None
    assert w_temps.ints is None
    assert w_temps.slots_w[0].value == 5
    assert w_temps.slots_w[1:] == [space.w_true, space.w_nil]
    # what a send, a method dictionary or a class reads from then on
    w_temps.store(space, 2, W_SmallInt(6))
    assert w_temps.slots_w[2].value == 6
    assert w_temps.object_at(2).value == 6
    assert values(space, w_temps) == [5, space.w_true, 6]
    # primitive 32 keeps identity
    w_temps.grow(space, space.w_false)
    assert w_temps.size() == 4 and w_temps.fetch(space, 3) is space.w_false


def test_growing_a_frame_array_keeps_its_slots(space):
    w_temps = framearray.temps_array(space.w_Array, 1)
    w_temps.store(space, 0, W_SmallInt(-2))
    w_temps.grow(space, W_SmallInt(9))
    assert values(space, w_temps) == [-2, 9]


def test_items_answers_every_slot_as_an_object(space):
    w_temps = framearray.temps_array(space.w_Array, 3)
    w_temps.store(space, 2, W_SmallInt(1))
    w_temps.store(space, 0, space.w_true)
    items_w = w_temps.items(space)
    assert items_w[0] is space.w_true and items_w[1] is space.w_nil
    assert items_w[2].value == 1
    # a copy: the frame storage stays as it was
    assert unerase(w_temps.objs[2]) is None


def test_a_context_reads_and_writes_through_its_frame_arrays():
    # once made (for a block or `thisContext`), the Arrays are where the
    # context keeps its temporaries and arguments
    image = mini_image()
    space = image.space
    w_method = image.make_method(image.cls("Object"), "m", [0x81], [], 4, 2)
    code = code_of_method(space, w_method)
    ctx = W_Context(code, None, None, 4, 0, space.w_nil, None,
                    [space.w_true, W_SmallInt(1)], 2, space.w_nil)
    ctx.store_temp(space, 1, W_SmallInt(12))
    w_temps = ctx.temps_array(space)
    w_args = ctx.args_array(space)
    assert isinstance(w_temps, framearray.W_FrameArray)
    assert isinstance(w_args, framearray.W_FrameArray)
    assert values(space, w_temps) == ["nil", 12]
    assert ctx.receiver() is space.w_true
    assert ctx.argument(space, 1).value == 1
    w_temps.store(space, 0, W_SmallInt(40))
    assert ctx.temp(space, 0).value == 40
    ctx.store_temp(space, 0, space.w_false)
    assert w_temps.fetch(space, 0) is space.w_false
    w_args.store(space, 1, W_SmallInt(2))
    assert ctx.argument(space, 1).value == 2


def test_without_frame_arrays_contexts_make_plain_arrays():
    # --no-frame-arrays, the ablation
    image = mini_image()
    space = image.space
    space.config.frame_arrays = False
    w_method = image.make_method(image.cls("Object"), "m", [0x81], [], 4, 1)
    code = code_of_method(space, w_method)
    ctx = W_Context(code, None, None, 4, 0, space.w_nil, None,
                    [space.w_true], 1, space.w_nil)
    ctx.store_temp(space, 0, W_SmallInt(3))
    w_temps = ctx.temps_array(space)
    w_args = ctx.args_array(space)
    for w_obj in [w_temps, w_args]:
        assert type(w_obj) is W_PointersObject
    assert w_temps.fetch(space, 0).value == 3
    assert w_args.fetch(space, 0) is space.w_true
