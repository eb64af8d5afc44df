"""Primitives on objects, SmallInts, bytes and strings."""

import sys

from rpython.rlib.rarithmetic import ovfcheck, int_c_div, int_c_mod

from spyvm.model import W_PointersObject, W_BytesObject
from spyvm.errors import PrimitiveFailed
from spyvm.primitives.table import (primitive, int_arg, class_arg,
                                    bytes_arg, check_memory, SLOT_BYTES)


# ------------------------------------------------------- objects / memory

@primitive(1, 2)
def identical(interp, args_w):
    return interp.space.wrap_bool(args_w[0].is_same_object(args_w[1]))


@primitive(2, 1)
def class_of(interp, args_w):
    return args_w[0].getclass(interp.space)


@primitive(4, 1)
def size_of(interp, args_w):
    return interp.space.wrap_int(args_w[0].size())


@primitive(5, 3)
def slot_at_put(interp, args_w):
    w_value, w_obj, w_index = args_w
    w_obj.store(interp.space, int_arg(interp, w_index) - 1, w_value)
    return w_obj


@primitive(7, 2)
def new_pointers(interp, args_w):
    w_class = class_arg(args_w[0])
    size = int_arg(interp, args_w[1])
    if size < 0:
        raise PrimitiveFailed("cannot allocate %d slots" % size)
    check_memory(interp, size * SLOT_BYTES, "new:", size)
    return W_PointersObject.new_nils(w_class, size)


@primitive(18, 1)
def debug(interp, args_w):
    return args_w[0]


@primitive(30, 2)
def slot_at(interp, args_w):
    return args_w[0].fetch(interp.space, int_arg(interp, args_w[1]) - 1)


@primitive(31, 2)
def copy_with(interp, args_w):
    w_value, w_obj = args_w
    if not isinstance(w_obj, W_PointersObject):
        raise PrimitiveFailed("expected a pointer object")
    check_memory(interp, (w_obj.size() + 1) * SLOT_BYTES, "a copy")
    return W_PointersObject(w_obj.w_class, w_obj.items(interp.space) + [w_value])


@primitive(32, 2)
def grow(interp, args_w):
    w_value, w_obj = args_w
    w_obj = interp.space.unwrap_pointers(w_obj)
    check_memory(interp, (w_obj.size() + 1) * SLOT_BYTES, "a grown object")
    w_obj.grow(interp.space, w_value)
    return w_obj


@primitive(36, -1)
def make_array(interp, args_w):
    return interp.space.wrap_list(args_w)


# --------------------------------------------------------- SmallInt math

@primitive(10, 2)
def int_add(interp, args_w):
    try:
        return interp.space.wrap_int(ovfcheck(int_arg(interp, args_w[0]) +
                                              int_arg(interp, args_w[1])))
    except OverflowError:
        return interp.space.w_nil


@primitive(11, 2)
def int_quo(interp, args_w):
    """Quotient truncated toward zero."""
    a = int_arg(interp, args_w[0])
    b = int_arg(interp, args_w[1])
    if b == 0:
        raise PrimitiveFailed("division by zero")
    if b == -1 and a == -sys.maxint - 1:
        raise PrimitiveFailed("quotient overflows")     # 2^63
    return interp.space.wrap_int(int_c_div(a, b))


@primitive(12, 2)
def int_rem(interp, args_w):
    """Remainder of the truncated division: it has the dividend's sign."""
    a = int_arg(interp, args_w[0])
    b = int_arg(interp, args_w[1])
    if b == 0:
        raise PrimitiveFailed("division by zero")
    if b == -1:
        return interp.space.wrap_int(0)
    return interp.space.wrap_int(int_c_mod(a, b))


@primitive(13, 2)
def int_less(interp, args_w):
    return interp.space.wrap_bool(int_arg(interp, args_w[0]) <
                                  int_arg(interp, args_w[1]))


@primitive(14, 2)
def int_equal(interp, args_w):
    return interp.space.wrap_bool(int_arg(interp, args_w[0]) ==
                                  int_arg(interp, args_w[1]))


@primitive(15, 2)
def int_mul(interp, args_w):
    try:
        return interp.space.wrap_int(ovfcheck(int_arg(interp, args_w[0]) *
                                              int_arg(interp, args_w[1])))
    except OverflowError:
        return interp.space.w_nil      # the image retries with LargeIntegers


@primitive(16, 2)
def int_sub(interp, args_w):
    try:
        return interp.space.wrap_int(ovfcheck(int_arg(interp, args_w[0]) -
                                              int_arg(interp, args_w[1])))
    except OverflowError:
        return interp.space.w_nil


# ------------------------------------------------------- bytes / strings

@primitive(20, 2)
def new_bytes(interp, args_w):
    w_class = class_arg(args_w[0])
    size = int_arg(interp, args_w[1])
    if size < 0:
        raise PrimitiveFailed("cannot allocate %d bytes" % size)
    check_memory(interp, size, "new:", size, " bytes")
    return W_BytesObject(w_class, ['\x00'] * size)


@primitive(21, 2)
def byte_at(interp, args_w):
    w_obj = bytes_arg(args_w[0])
    return interp.space.wrap_int(w_obj.getbyte(int_arg(interp, args_w[1]) - 1))


@primitive(22, 3)
def byte_at_put(interp, args_w):
    w_value, w_obj, w_index = args_w
    bytes_arg(w_obj).setbyte(int_arg(interp, w_index) - 1,
                             int_arg(interp, w_value))
    return w_obj


@primitive(23, 2)
def bytes_copy(interp, args_w):
    w_obj, w_class = args_w
    if not isinstance(w_obj, W_BytesObject):
        return w_obj
    check_memory(interp, w_obj.size(), "a copy")
    return W_BytesObject(class_arg(w_class), w_obj.bytes[:])


@primitive(24, 2)
def bytes_concat(interp, args_w):
    w_suffix = bytes_arg(args_w[0])
    w_prefix = bytes_arg(args_w[1])
    check_memory(interp, w_prefix.size() + w_suffix.size(), "a concatenation")
    return W_BytesObject(w_prefix.w_class, w_prefix.bytes + w_suffix.bytes)


@primitive(26, 2)
def bytes_compare(interp, args_w):
    a = bytes_arg(args_w[0]).bytes
    b = bytes_arg(args_w[1]).bytes
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            if ord(a[i]) < ord(b[i]):
                return interp.space.wrap_int(-1)
            return interp.space.wrap_int(1)
    if len(a) < len(b):
        return interp.space.wrap_int(-1)
    if len(a) > len(b):
        return interp.space.wrap_int(1)
    return interp.space.wrap_int(0)
