"""spyvm/model.py: the raw-slot encoding of run-time pointer objects.

An object made by `new_nils` keeps SmallInts and nil as raw words in `ints`
(a SmallInt v as v ^ NIL_TAG, nil as RAW_NIL = 0) and every other object in
`slots_w`; reads must answer the same objects either way."""

import sys

import pytest

from spyvm.errors import PrimitiveFailed
from spyvm.model import (W_PointersObject, W_SmallInt, Shadow, NIL_TAG,
                         RAW_NIL, NO_WORDS)
from tests.mini import mini_image


@pytest.fixture
def space():
    return mini_image().space


def fresh(space, size=3):
    return W_PointersObject.new_nils(space.w_Array, size)


def test_fresh_objects_are_nil_as_raw_words(space):
    w_obj = fresh(space)
    assert w_obj.slots_w == [None, None, None]
    # no word list until a SmallInt is stored: every word reads RAW_NIL
    assert w_obj.ints is NO_WORDS
    assert [w_obj.fetch(space, i) for i in range(3)] == [space.w_nil] * 3


def test_an_object_holding_only_objects_never_makes_its_word_list(space):
    w_obj = fresh(space)
    w_inner = fresh(space, 2)
    w_obj.store(space, 0, w_inner)
    w_obj.store(space, 1, space.w_nil)
    w_obj.store(space, 2, space.w_true)
    w_obj.store(space, 2, space.w_nil)
    assert w_obj.ints is NO_WORDS and NO_WORDS == []
    assert w_obj.slots_w == [w_inner, None, None]
    assert [w_obj.fetch(space, i) for i in range(3)] == [
        w_inner, space.w_nil, space.w_nil]


def test_the_first_smallint_makes_the_word_list(space):
    w_obj = fresh(space)
    w_obj.store(space, 0, space.w_true)
    w_obj.store(space, 2, W_SmallInt(5))
    assert w_obj.ints == [RAW_NIL, RAW_NIL, 5 ^ NIL_TAG]
    assert NO_WORDS == []
    assert w_obj.fetch(space, 0) is space.w_true
    assert w_obj.fetch(space, 1) is space.w_nil
    assert w_obj.fetch(space, 2).value == 5
    # each object gets its own list
    assert fresh(space).ints is NO_WORDS


def test_smallints_and_nil_are_stored_as_words(space):
    w_obj = fresh(space)
    w_obj.store(space, 0, W_SmallInt(42))
    w_obj.store(space, 1, W_SmallInt(0))
    w_obj.store(space, 2, W_SmallInt(-7))
    assert w_obj.slots_w == [None, None, None]
    assert w_obj.ints == [42 ^ NIL_TAG, NIL_TAG, -7 ^ NIL_TAG]
    # 0 is a SmallInt, not nil: its word is NIL_TAG, not RAW_NIL
    assert [w_obj.fetch(space, i).value for i in range(3)] == [42, 0, -7]
    w_obj.store(space, 1, space.w_nil)
    assert w_obj.ints[1] == RAW_NIL
    assert w_obj.fetch(space, 1) is space.w_nil


def test_extreme_smallints_round_trip(space):
    w_obj = fresh(space, 2)
    w_obj.store(space, 0, W_SmallInt(sys.maxint))
    assert w_obj.slots_w[0] is None
    assert w_obj.fetch(space, 0).value == sys.maxint
    # the one SmallInt a word cannot hold: NIL_TAG would read back as nil
    w_obj.store(space, 1, W_SmallInt(NIL_TAG))
    assert w_obj.slots_w[1] is not None
    assert w_obj.fetch(space, 1).value == NIL_TAG


def test_objects_replace_words_and_words_replace_objects(space):
    w_obj = fresh(space, 1)
    w_obj.store(space, 0, space.w_true)
    assert w_obj.slots_w[0] is space.w_true
    assert w_obj.fetch(space, 0) is space.w_true
    w_obj.store(space, 0, W_SmallInt(5))
    assert w_obj.slots_w[0] is None
    assert w_obj.fetch(space, 0).value == 5


def test_items_and_switch_to_objects_keep_the_values(space):
    w_obj = fresh(space)
    w_obj.store(space, 0, W_SmallInt(1))
    w_obj.store(space, 2, space.w_false)
    expected = [1, space.w_nil, space.w_false]

    def values(items_w):
        return [w.value if isinstance(w, W_SmallInt) else w for w in items_w]
    assert values(w_obj.items(space)) == expected
    w_obj.switch_to_objects(space)
    assert w_obj.ints is None
    assert values(w_obj.slots_w) == expected
    # from now on SmallInts are boxed in slots_w
    w_obj.store(space, 1, W_SmallInt(9))
    assert w_obj.ints is None and w_obj.slots_w[1].value == 9


def test_objects_built_from_a_list_keep_every_slot_as_an_object(space):
    w_obj = W_PointersObject(space.w_Array, [space.w_nil, W_SmallInt(3)])
    assert w_obj.ints is None
    w_obj.store(space, 0, W_SmallInt(4))
    assert w_obj.slots_w[0].value == 4


def test_out_of_bounds_fails(space):
    w_obj = fresh(space, 2)
    for index in (-1, 2):
        with pytest.raises(PrimitiveFailed):
            w_obj.fetch(space, index)
        with pytest.raises(PrimitiveFailed):
            w_obj.store(space, index, W_SmallInt(1))


class Recorder(Shadow):
    def __init__(self):
        self.changed = []

    def slot_changed(self, space, w_obj, index):
        self.changed.append(index)


def test_object_stores_notify_the_shadow_and_grow_keeps_values(space):
    w_obj = fresh(space, 2)
    w_obj.store(space, 0, W_SmallInt(8))
    w_obj.switch_to_objects(space)      # what a shadow's owner does first
    shadow = Recorder()
    w_obj.shadow = shadow
    w_obj.store(space, 1, W_SmallInt(2))
    w_obj.grow(space, space.w_true)
    assert shadow.changed == [1, 2]
    assert w_obj.size() == 3
    assert w_obj.fetch(space, 0).value == 8
    assert w_obj.fetch(space, 2) is space.w_true
