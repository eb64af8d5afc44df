"""Image reader and writer: round trips, atomic saves, corrupt input."""

import os
import random
import struct

import pytest

from spyvm.objspace import ObjSpace
from spyvm.image_reader import load_image
from spyvm.hostio import read_image_file
from spyvm.image_writer import serialize_image, save_image
from spyvm.model import W_SmallInt, W_PointersObject, W_BytesObject
from spyvm.errors import ImageError, PrimitiveFailed
from tests.mini import mini_image

REAL_IMAGE = os.environ.get("SMALLWORLD_IMAGE")
needs_real_image = pytest.mark.skipif(not REAL_IMAGE,
                                      reason="SMALLWORLD_IMAGE is not set")


def mini_image_bytes():
    return serialize_image(mini_image().space)


def load(data):
    space = ObjSpace()
    objects = load_image(space, data)
    return space, objects


def test_mini_image_round_trip_is_byte_identical():
    data = mini_image_bytes()
    space, objects = load(data)
    assert serialize_image(space) == data
    assert space.class_name(space.w_Array) == "Array"
    assert space.class_name(space.w_String) == "String"
    assert space.find_class("SmallInt") is space.w_SmallInt


def test_writer_layout_follows_spec_1_9():
    data = mini_image_bytes()
    words = lambda off, n: struct.unpack(">%di" % n, data[off:off + 4 * n])
    assert words(0, 1) == (1,)
    # record 0 is nil: a pointer object with no slots
    length, type, cls, nslots = words(4, 4)
    assert (length, type, nslots) == (4, 2, 0)
    space, objects = load(data)
    for i in range(10):
        assert objects[7 + i].value == i
    assert objects[3] is space.w_Array and objects[6] is space.w_SmallInt


def test_integers_are_written_once_per_value():
    image = mini_image()
    space = image.space
    space.w_Array.slots_w[3] = W_SmallInt(123456)
    space.w_String.slots_w[3] = W_SmallInt(123456)
    space2, objects = load(serialize_image(space))
    assert len([o for o in objects if isinstance(o, W_SmallInt)
                and o.value == 123456]) == 1


def test_host_objects_are_saved_as_nil():
    image = mini_image()
    space = image.space
    space.w_Array.slots_w[3] = space.wrap_float(1.5)
    space2, objects = load(serialize_image(space))
    assert space2.w_Array.slots_w[3] is space2.w_nil


def test_saving_a_64_bit_integer_is_an_error_not_a_corrupt_file(tmp_path):
    image = mini_image()
    space = image.space
    path = str(tmp_path / "out.image")
    save_image(space, path)
    before = open(path, "rb").read()
    space.w_Array.slots_w[3] = W_SmallInt(2 ** 40)
    with pytest.raises(PrimitiveFailed) as e:
        save_image(space, path)
    assert "32-bit" in e.value.msg
    assert open(path, "rb").read() == before
    assert os.listdir(str(tmp_path)) == ["out.image"]


def test_save_is_atomic_and_leaves_no_temporary(tmp_path):
    image = mini_image()
    path = str(tmp_path / "a.image")
    save_image(image.space, path)
    assert os.listdir(str(tmp_path)) == ["a.image"]
    assert open(path, "rb").read() == serialize_image(image.space)


def test_save_to_a_missing_directory_is_a_primitive_failure(tmp_path):
    image = mini_image()
    with pytest.raises(PrimitiveFailed):
        save_image(image.space, str(tmp_path / "no" / "such" / "dir.image"))


def test_save_through_a_symlink_writes_its_target(tmp_path):
    image = mini_image()
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "a.image"
    target.write_bytes(b"old")
    os.symlink("real/a.image", str(tmp_path / "link.image"))
    os.symlink(str(tmp_path / "link.image"), str(tmp_path / "link2.image"))
    save_image(image.space, str(tmp_path / "link2.image"))
    assert os.path.islink(str(tmp_path / "link.image"))
    assert os.path.islink(str(tmp_path / "link2.image"))
    assert target.read_bytes() == serialize_image(image.space)
    assert sorted(os.listdir(str(tmp_path / "real"))) == ["a.image"]
    # a dangling link creates its target
    os.symlink("real/new.image", str(tmp_path / "dangling.image"))
    save_image(image.space, str(tmp_path / "dangling.image"))
    assert (tmp_path / "real" / "new.image").read_bytes() == \
        serialize_image(image.space)
    # a loop is an error
    os.symlink("loop1", str(tmp_path / "loop2"))
    os.symlink("loop2", str(tmp_path / "loop1"))
    with pytest.raises(PrimitiveFailed) as e:
        save_image(image.space, str(tmp_path / "loop1"))
    assert "too many symbolic links" in e.value.msg


def test_save_refuses_devices_fifos_and_directories(tmp_path):
    image = mini_image()
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    os.symlink("/dev/null", str(tmp_path / "null.image"))
    for path in ["/dev/null", fifo, str(tmp_path / "null.image"),
                 str(tmp_path)]:
        with pytest.raises(PrimitiveFailed) as e:
            save_image(image.space, path)
        assert "not a regular file" in e.value.msg
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    assert sorted(os.listdir(str(tmp_path))) == ["fifo", "null.image"]


def test_file_names_with_nul_are_refused(tmp_path):
    image = mini_image()
    path = str(tmp_path / "a.image")
    with pytest.raises(PrimitiveFailed) as e:
        save_image(image.space, path + "\x00.bak")
    assert e.value.msg.endswith("a.image\\0.bak'")
    assert os.listdir(str(tmp_path)) == []
    from spyvm import primitives
    space = image.space
    for number in (41, 42):
        with pytest.raises(PrimitiveFailed) as e:
            primitives.TABLE[number](image.interp, [
                image.cls("Object"), space.wrap_string(path + "\x00x")])
        assert "NUL byte" in e.value.msg
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"\x00\x00\x00\x02", "version word is 2"),
    (b"\x00\x00\x00\x01", "at least 17"),
    (b"\x00\x00\x00\x01\x00\x00", "truncated"),
    (b"GIF89a\x00\x00\x00\x00", "not a SmallWorld image"),
    (b"\x00\x00\x00\x01" + struct.pack(">4i", 5, 7, 0, 0), "unknown type"),
    (b"\x00\x00\x00\x01" + struct.pack(">4i", 6, 0, 0, 0), "SmallInt record"),
    (b"\x00\x00\x00\x01" + struct.pack(">5i", 6, 2, 0, 1, 0), "length"),
    (b"\x00\x00\x00\x01" + struct.pack(">4i", 4, 2, 3, 0), "class index"),
])
def test_bad_images_give_a_clear_error(data, message):
    with pytest.raises(ImageError) as e:
        load(data)
    assert message in e.value.msg


def test_missing_file_is_an_image_error(tmp_path):
    with pytest.raises(ImageError) as e:
        read_image_file(str(tmp_path / "nope.image"))
    assert "cannot open" in e.value.msg


def check_corruptions(data, seed, count):
    """Truncations and byte flips load or fail with ImageError, nothing
    else; almost every truncation is detected."""
    rnd = random.Random(seed)
    detected = 0
    for _ in range(count):
        try:
            load(data[:rnd.randrange(len(data))])
        except ImageError:
            detected += 1
    assert detected >= count * 0.9
    for _ in range(count):
        pos = rnd.randrange(len(data))
        flipped = bytearray(data)
        flipped[pos] ^= 1 << rnd.randrange(8)
        try:
            load(bytes(flipped))
        except ImageError:
            pass


def test_corrupted_mini_image_never_crashes_the_reader():
    check_corruptions(mini_image_bytes(), 1, 60)


@needs_real_image
def test_real_image_round_trip_is_byte_identical():
    data = read_image_file(REAL_IMAGE)
    space, objects = load(data)
    assert len(objects) == 4711
    assert serialize_image(space) == data


@needs_real_image
def test_corrupted_real_image_never_crashes_the_reader():
    check_corruptions(read_image_file(REAL_IMAGE), 2, 15)
