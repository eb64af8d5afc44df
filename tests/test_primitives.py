"""Each primitive of spec 4.2, called through the primitive table."""

import os

import pytest

from spyvm import primitives
from spyvm.model import (W_SmallInt, W_PointersObject, W_BytesObject,
                         W_HostObject, W_Float, W_File)
from spyvm.errors import PrimitiveFailed, Exit
from tests.mini import mini_image, ints


@pytest.fixture
def image():
    return mini_image()


def call(image, number, *args_w):
    return primitives.TABLE[number](image.interp, list(args_w))


def i(n):
    return W_SmallInt(n)


def test_identity_compares_smallints_by_value(image):
    space = image.space
    assert call(image, 1, i(1000), i(1000)) is space.w_true
    w = image.new("Object")
    assert call(image, 1, w, w) is space.w_true
    assert call(image, 1, w, image.new("Object")) is space.w_false


def test_class_and_size(image):
    space = image.space
    assert call(image, 2, i(3)) is space.w_SmallInt
    assert call(image, 2, space.w_nil) is image.cls("Undefined")
    assert call(image, 4, i(3)).value == 0
    assert call(image, 4, space.wrap_string("abcd")).value == 4
    assert call(image, 4, space.new_array(3)).value == 3


def test_slot_access_is_one_based(image):
    space = image.space
    w_arr = space.new_array(3)
    assert call(image, 5, i(9), w_arr, i(2)) is w_arr
    assert call(image, 30, w_arr, i(2)).value == 9
    with pytest.raises(PrimitiveFailed):
        call(image, 30, w_arr, i(4))
    with pytest.raises(PrimitiveFailed):
        call(image, 5, i(1), w_arr, i(0))


def test_new_objects(image):
    space = image.space
    w = call(image, 7, space.w_Array, i(4))
    assert w.getclass(space) is space.w_Array and w.size() == 4
    assert w.fetch(space, 0) is space.w_nil
    w = call(image, 20, space.w_String, i(2))
    assert w.as_string() == "\x00\x00"
    with pytest.raises(PrimitiveFailed):
        call(image, 7, space.w_Array, i(-1))


def test_copy_with_and_grow(image):
    space = image.space
    w_arr = space.wrap_list([i(1)])
    w_new = call(image, 31, i(2), w_arr)
    assert ints(w_new) == [1, 2] and ints(w_arr) == [1]
    assert call(image, 32, i(5), w_arr) is w_arr
    assert ints(w_arr) == [1, 5]


def test_make_array(image):
    assert ints(call(image, 36, i(1), i(2), i(3))) == [1, 2, 3]


def test_smallint_arithmetic(image):
    space = image.space
    assert call(image, 11, i(-7), i(2)).value == -3
    assert call(image, 12, i(-7), i(2)).value == -1
    assert call(image, 12, i(7), i(-2)).value == 1
    assert call(image, 13, i(1), i(2)) is space.w_true
    assert call(image, 14, i(2), i(2)) is space.w_true
    assert call(image, 15, i(6), i(7)).value == 42
    assert call(image, 16, i(6), i(7)).value == -1
    assert call(image, 10, i(6), i(7)).value == 13


def test_overflow_answers_nil(image):
    space = image.space
    assert call(image, 15, i(2 ** 62), i(4)) is space.w_nil
    assert call(image, 16, i(-2 ** 63), i(1)) is space.w_nil
    assert call(image, 10, i(2 ** 62), i(2 ** 62)) is space.w_nil
    assert call(image, 15, i(2 ** 31), i(2 ** 31)).value == 2 ** 62


def test_division_by_zero_fails(image):
    with pytest.raises(PrimitiveFailed):
        call(image, 11, i(1), i(0))
    with pytest.raises(PrimitiveFailed):
        call(image, 12, i(1), i(0))


def test_bad_argument_types_fail(image):
    with pytest.raises(PrimitiveFailed):
        call(image, 15, image.space.w_nil, i(1))
    with pytest.raises(PrimitiveFailed):
        call(image, 1, i(1))      # wrong argument count


def test_byte_primitives(image):
    space = image.space
    w_s = space.wrap_string("abc")
    assert call(image, 21, w_s, i(2)).value == ord("b")
    call(image, 22, i(ord("X") + 256), w_s, i(1))
    assert w_s.as_string() == "Xbc"
    w_copy = call(image, 23, w_s, image.cls("ByteArray"))
    assert w_copy.as_string() == "Xbc" and w_copy is not w_s
    assert w_copy.getclass(space) is image.cls("ByteArray")
    w_cat = call(image, 24, space.wrap_string("de"), w_s)
    assert w_cat.as_string() == "Xbcde"
    assert call(image, 26, space.wrap_string("ab"),
                space.wrap_string("abc")).value == -1
    assert call(image, 26, space.wrap_string("b"),
                space.wrap_string("abc")).value == 1
    assert call(image, 26, space.wrap_string("\xff"),
                space.wrap_string("a")).value == 1      # unsigned bytes
    assert call(image, 26, w_s, space.wrap_string("Xbc")).value == 0


def test_files_write_and_read_lines(image, tmp_path):
    space = image.space
    path = str(tmp_path / "f.txt")
    w_file_class = image.cls("Object")
    w_out = call(image, 41, w_file_class, space.wrap_string(path))
    call(image, 43, space.wrap_string("one\ntwo\r\nthree\rfour"), w_out)
    os.close(w_out.fd)
    w_in = call(image, 42, w_file_class, space.wrap_string(path))
    lines = []
    while True:
        w_line = call(image, 44, space.w_String, w_in)
        if w_line is space.w_nil:
            break
        lines.append(w_line.as_string())
    assert lines == ["one", "two", "three", "four"]
    with pytest.raises(PrimitiveFailed):
        call(image, 42, w_file_class, space.wrap_string(path + ".missing"))


def test_floats(image):
    space = image.space
    F = space.w_Float
    f = lambda x: W_Float(F, x)
    assert call(image, 50, F, i(3)).value == 3.0
    assert call(image, 51, F, f(1.5), f(2.0)).value == 3.5
    assert call(image, 52, F, f(1.0), f(5.0)).value == 4.0    # y - x
    assert call(image, 53, F, f(1.5), f(2.0)).value == 3.0
    assert call(image, 54, F, f(4.0), f(2.0)).value == 0.5    # y / x
    assert call(image, 55, f(1.0), f(2.0)) is space.w_false   # y < x
    assert call(image, 55, f(2.0), f(1.0)) is space.w_true
    assert call(image, 56, f(2.0), f(2.0)) is space.w_true
    assert call(image, 57, f(-2.7)).value == -2
    r = call(image, 58, F).value
    assert 0.0 <= r < 1.0
    assert call(image, 59, space.w_String, f(1e10)).as_string() == "1.0E10"
    assert call(image, 59, space.w_String, f(0.5)).as_string() == "0.5"
    assert call(image, 54, F, f(0.0), f(1.0)).value == float("inf")


def test_float_truncation_is_exact_up_to_two_to_the_63(image):
    f = lambda x: W_Float(image.space.w_Float, x)
    # exact doubles between 9.2e18 and 2^63 used to saturate early
    for x in [9.2e18, 9.22e18, 2.0 ** 63 - 1024, -(2.0 ** 63), -9.21e18]:
        assert call(image, 57, f(x)).value == int(x)
    assert call(image, 57, f(2.0 ** 63)).value == 2 ** 63 - 1
    assert call(image, 57, f(float("inf"))).value == 2 ** 63 - 1
    assert call(image, 57, f(-1e300)).value == -2 ** 63
    assert call(image, 57, f(float("nan"))).value == 0


def test_float_division_by_zero_is_ieee(image):
    F = image.space.w_Float
    f = lambda x: W_Float(F, x)
    assert call(image, 54, F, f(0.0), f(-1.0)).value == float("-inf")
    w = call(image, 54, F, f(0.0), f(0.0)).value
    assert w != w     # NaN
    assert call(image, 59, image.space.w_String, f(w)).as_string() == "NaN"


def test_clock_is_monotonic_milliseconds(image, monkeypatch):
    import time
    a = call(image, 119).value
    # the wall clock jumping back an hour does not move it (spec 7.15)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3600.0)
    b = call(image, 119).value
    assert 0 <= a <= b < a + 60000


def test_gui_stubs_answer_instances_of_the_class_argument(image):
    space = image.space
    w_cls = image.cls("Object")
    for number, argc in [(60, 1), (70, 2), (73, 1), (90, 2), (100, 1)]:
        w = call(image, number, *([w_cls] + [space.w_nil] * (argc - 1)))
        assert isinstance(w, W_HostObject) and w.getclass(space) is w_cls
    w_win = call(image, 60, w_cls)
    assert call(image, 65, w_win, space.wrap_string("t")) is w_win
    assert call(image, 61, w_win, space.w_true) is space.w_true
    assert call(image, 83, w_win).value == 0


def test_semaphores_headless(image):
    space = image.space
    w_sema = call(image, 100, image.cls("Object"))
    assert call(image, 101, w_sema) is space.w_nil
    call(image, 102, w_sema, i(5))
    assert call(image, 101, w_sema).value == 5


def test_transcript_prints_only_the_new_suffix(image, capfd):
    space = image.space
    w_pane = call(image, 73, image.cls("Object"))
    space.w_Transcript.slots_w[5] = w_pane
    call(image, 82, w_pane, space.wrap_string("hello\n"))
    call(image, 82, w_pane, space.wrap_string("hello\nworld\n"))
    w_other = call(image, 73, image.cls("Object"))
    call(image, 82, w_other, space.wrap_string("an error"))
    out, err = capfd.readouterr()
    assert out == "hello\nworld\n"
    assert err == "an error\n"
    assert call(image, 80, space.w_String, w_pane).as_string() == \
        "hello\nworld\n"


def test_quit_raises_exit(image):
    with pytest.raises(Exit) as info:
        call(image, 117, image.space.w_nil)
    assert info.value.status == 0


def test_quit_after_an_error_exits_1(image):
    image.interp.error_count = 1
    with pytest.raises(Exit) as info:
        call(image, 117, image.space.w_nil)
    assert info.value.status == 1


def test_export_image_writes_a_loadable_image(image, tmp_path):
    from spyvm.objspace import ObjSpace
    from spyvm.image_reader import load_image
    path = str(tmp_path / "x.image")
    w_name = image.space.wrap_string(path)
    assert call(image, 29, w_name) is w_name
    load_image(ObjSpace(), open(path, "rb").read())


def test_integer_slots_hold_raw_words_beside_objects(image):
    space = image.space
    w = call(image, 7, space.w_Array, i(3))
    call(image, 5, i(-5), w, i(1))
    assert w.slots_w[0] is None and w.ints[0] == -5 ^ (-2 ** 63)
    call(image, 5, space.wrap_string("x"), w, i(3))
    assert w.slots_w[2].as_string() == "x"     # objects beside raw words
    call(image, 5, i(-2 ** 63), w, i(2))       # the tag value itself
    assert w.slots_w[1].value == -2 ** 63
    assert w.fetch(space, 0).value == -5
    assert w.fetch(space, 1).value == -2 ** 63
    call(image, 5, space.w_nil, w, i(3))
    assert w.fetch(space, 2) is space.w_nil and w.slots_w[2] is None
    assert [x.value if x is not space.w_nil else None
            for x in w.items(space)] == [-5, -2 ** 63, None]


def test_quo_and_rem_at_the_smallint_limits(image):
    smallest = -2 ** 63
    assert call(image, 11, i(smallest), i(2)).value == -2 ** 62
    assert call(image, 12, i(smallest), i(10)).value == -8
    assert call(image, 12, i(smallest), i(-1)).value == 0
    assert call(image, 11, i(7), i(-2)).value == -3
    with pytest.raises(PrimitiveFailed):
        call(image, 11, i(smallest), i(-1))     # 2^63 is not a SmallInt
