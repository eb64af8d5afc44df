"""Primitives (spec 4.2), as a table indexed by primitive number.

Each primitive takes the interpreter and its arguments in push order and
answers one object.  Bad arguments raise PrimitiveFailed, which the
interpreter turns into a Smalltalk-level `error:`.  Primitives 6, 8, 34 and
35 touch contexts and live in the interpreter itself.
"""

import os
import sys
import time
import math

from rpython.rlib.rarithmetic import ovfcheck, intmask, int_c_div, int_c_mod
from rpython.rlib.rfloat import (formatd, isinf, isnan, string_to_float,
                                 INFINITY, NAN)
from rpython.rlib.rarithmetic import string_to_int
from rpython.rtyper.lltypesystem import rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo

from spyvm.model import (W_SmallInt, W_PointersObject, W_BytesObject,
                         W_HostObject, W_Float, W_File)
from spyvm.errors import PrimitiveFailed, Exit
from spyvm.hostio import write_stdout, write_stderr, write_all, open_fd

TABLE = [None] * 128
START_TIME = [0]    # monotonic_ms() at start-up


def primitive(number, argc):
    """Register a primitive expecting `argc` arguments (-1: any)."""
    def decorator(func):
        def checked(interp, args_w):
            if argc >= 0 and len(args_w) != argc:
                raise PrimitiveFailed("primitive %d expects %d arguments, "
                                      "got %d" % (number, argc, len(args_w)))
            return func(interp, args_w)
        checked.func_name = "prim_%d_%s" % (number, func.func_name)
        TABLE[number] = checked
        return func
    return decorator


# ------------------------------------------------------------ helpers

def int_arg(interp, w_obj):
    return interp.space.unwrap_int(w_obj)


def float_arg(w_obj):
    if isinstance(w_obj, W_Float):
        return w_obj.value
    raise PrimitiveFailed("expected a Float")


def class_arg(w_obj):
    if isinstance(w_obj, W_PointersObject) and w_obj.size() >= 3:
        return w_obj
    raise PrimitiveFailed("expected a class")


def bytes_arg(w_obj):
    if isinstance(w_obj, W_BytesObject):
        return w_obj
    raise PrimitiveFailed("expected a String or ByteArray")


def check_memory(interp, nbytes, what):
    """Large allocations must fit under the memory ceiling (memory.py)."""
    interp.space.memory.check_allocation(nbytes, what)


# what one slot of a run-time pointer object costs: an object and a word
SLOT_BYTES = 16


def new_host_object(interp, w_class):
    return W_HostObject(class_arg(w_class))


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
    check_memory(interp, size * SLOT_BYTES, "new: %d" % size)
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


@primitive(33, 1)
def sleep(interp, args_w):
    ms = int_arg(interp, args_w[0])
    if ms > 0:
        time.sleep(ms / 1000.0)
    return args_w[0]


@primitive(119, 0)
def milliseconds(interp, args_w):
    """Milliseconds since the VM started, on the monotonic clock (spec
    7.15: only differences are used, and wall-clock jumps must not show)."""
    return interp.space.wrap_int(monotonic_ms() - START_TIME[0])


# Our own C helper, not rtime.c_clock_gettime: the JIT's profiler calls that
# one with another clock id late in the translation, and a constant id here
# made the annotator refuse the JIT build
_clock_eci = ExternalCompilationInfo(
    post_include_bits=["RPY_EXTERN long spy_monotonic_ms(void);"],
    separate_module_sources=["""
#include <time.h>
RPY_EXTERN long spy_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
"""])
monotonic_ms = rffi.llexternal('spy_monotonic_ms', [], rffi.LONG,
                               compilation_info=_clock_eci,
                               releasegil=False)


# ------------------------------------------------------- bytes / strings

@primitive(20, 2)
def new_bytes(interp, args_w):
    w_class = class_arg(args_w[0])
    size = int_arg(interp, args_w[1])
    if size < 0:
        raise PrimitiveFailed("cannot allocate %d bytes" % size)
    check_memory(interp, size, "new: %d bytes" % size)
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


# ------------------------------------------------------------ files / image

@primitive(29, 1)
def export_image(interp, args_w):
    from spyvm.image_writer import save_image
    save_image(interp.space, interp.space.unwrap_string(args_w[0]))
    return args_w[0]


@primitive(116, 0)
def save_image_in_place(interp, args_w):
    from spyvm.image_writer import save_image
    path = interp.space.image_path
    if not path:
        raise PrimitiveFailed("no image file to save to")
    save_image(interp.space, path)
    return interp.space.w_true


@primitive(117, -1)
def quit(interp, args_w):
    """Exit status 1 if anything went wrong before (as at a normal end)."""
    if interp.error_count > 0:
        raise Exit(1)
    raise Exit(0)


def open_file(interp, args_w, flags, writable):
    w_class = class_arg(args_w[0])
    name = interp.space.unwrap_string(args_w[1])
    from spyvm.image_writer import check_file_name
    check_file_name(name)
    try:
        fd = open_fd(name, flags)
    except OSError as e:
        raise PrimitiveFailed("cannot open '%s': %s"
                              % (name, os.strerror(e.errno)))
    return W_File(w_class, fd, writable)


@primitive(41, 2)
def open_write(interp, args_w):
    return open_file(interp, args_w, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     True)


@primitive(42, 2)
def open_read(interp, args_w):
    return open_file(interp, args_w, os.O_RDONLY, False)


def file_arg(w_obj):
    if isinstance(w_obj, W_File) and w_obj.fd >= 0:
        return w_obj
    raise PrimitiveFailed("expected an open File")


@primitive(43, 2)
def file_write(interp, args_w):
    text = interp.space.unwrap_string(args_w[0])
    w_file = file_arg(args_w[1])
    if not w_file.writable:
        raise PrimitiveFailed("file is open for reading")
    try:
        write_all(w_file.fd, text)
    except OSError as e:
        raise PrimitiveFailed("write failed: %s" % os.strerror(e.errno))
    return args_w[1]


@primitive(44, 2)
def file_read_line(interp, args_w):
    w_class = class_arg(args_w[0])
    w_file = file_arg(args_w[1])
    if w_file.writable:
        raise PrimitiveFailed("file is open for writing")
    line = read_line(w_file)
    if line is None:
        return interp.space.w_nil
    return W_BytesObject(w_class, [c for c in line])


def read_line(w_file):
    """Next line without its terminator (\\n, \\r\\n or \\r), None at EOF."""
    try:
        return w_file.lines.next_line()
    except OSError as e:
        raise PrimitiveFailed("read failed: %s" % os.strerror(e.errno))


# ---------------------------------------------------------------- threads

@primitive(19, 1)
def fork(interp, args_w):
    """Headless: run the block to completion now (spec 5.7)."""
    from spyvm.context import W_Context, W_Block
    w_block = args_w[0]
    if not isinstance(w_block, W_Block):
        raise PrimitiveFailed("fork needs a Block")
    ctx = W_Context(w_block.code, w_block.w_args, w_block.w_temps,
                    w_block.code.stack_size, w_block.start_pc,
                    interp.space.w_nil, w_block)
    interp.execute(ctx)
    return w_block


@primitive(100, 1)
def new_semaphore(interp, args_w):
    return new_host_object(interp, args_w[0])


@primitive(101, 1)
def semaphore_wait(interp, args_w):
    w_sema = args_w[0]
    if isinstance(w_sema, W_HostObject) and w_sema.w_value is not None:
        return w_sema.w_value
    return interp.space.w_nil      # nobody could ever signal it headless


@primitive(102, 2)
def semaphore_set(interp, args_w):
    w_sema = args_w[0]
    if isinstance(w_sema, W_HostObject):
        w_sema.w_value = args_w[1]
    return args_w[1]


# ------------------------------------------------------------------- Float

def wrap_float(interp, w_class, value):
    return W_Float(class_arg(w_class), value)


@primitive(50, 2)
def int_as_float(interp, args_w):
    return wrap_float(interp, args_w[0], float(int_arg(interp, args_w[1])))


@primitive(51, 3)
def float_add(interp, args_w):
    return wrap_float(interp, args_w[0],
                      float_arg(args_w[1]) + float_arg(args_w[2]))


@primitive(52, 3)
def float_sub(interp, args_w):
    return wrap_float(interp, args_w[0],
                      float_arg(args_w[2]) - float_arg(args_w[1]))


@primitive(53, 3)
def float_mul(interp, args_w):
    return wrap_float(interp, args_w[0],
                      float_arg(args_w[1]) * float_arg(args_w[2]))


@primitive(54, 3)
def float_div(interp, args_w):
    """y / x with IEEE results for a zero divisor (inf, -inf, NaN); the
    constants come from rfloat: float('inf') would parse a string at run
    time in RPython, and fail."""
    x = float_arg(args_w[1])
    y = float_arg(args_w[2])
    if x == 0.0:
        if y == 0.0 or isnan(y):
            result = NAN
        elif (y > 0.0) == (math.copysign(1.0, x) > 0.0):
            result = INFINITY
        else:
            result = -INFINITY
    else:
        result = y / x
    return wrap_float(interp, args_w[0], result)


@primitive(55, 2)
def float_less(interp, args_w):
    return interp.space.wrap_bool(float_arg(args_w[1]) < float_arg(args_w[0]))


@primitive(56, 2)
def float_equal(interp, args_w):
    return interp.space.wrap_bool(float_arg(args_w[0]) == float_arg(args_w[1]))


@primitive(57, 1)
def float_truncated(interp, args_w):
    """Truncate toward zero, saturating like Java's cast: every double in
    [-2^63, 2^63) is exact, NaN is 0."""
    return interp.space.wrap_int(truncate_float(float_arg(args_w[0])))


TWO_TO_63 = 9223372036854775808.0


def truncate_float(x):
    if isnan(x):
        return 0
    if x >= TWO_TO_63:
        return sys.maxint
    if x < -TWO_TO_63:
        return -sys.maxint - 1
    return int(x)


@primitive(58, 1)
def float_random(interp, args_w):
    from rpython.rlib.rrandom import Random
    if interp.random is None:
        interp.random = Random(intmask(int(time.time() * 1000.0)))
    return wrap_float(interp, args_w[0], interp.random.random())


@primitive(59, 2)
def float_print(interp, args_w):
    w_class = class_arg(args_w[0])
    text = java_double_string(float_arg(args_w[1]))
    return W_BytesObject(w_class, [c for c in text])


def java_double_string(x):
    """Format like Java's Double.toString: 0.1, 100.0, 1.0E10, 1.0E-4."""
    if isnan(x):
        return "NaN"
    if isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = ""
    if x < 0:
        sign = "-"
        x = -x
    digits, exponent = shortest_digits(x)
    if 1e-3 <= x < 1e7:
        if exponent >= 0:
            if len(digits) < exponent + 1:
                digits += "0" * (exponent + 1 - len(digits))
            intpart = digits[:exponent + 1]
            frac = digits[exponent + 1:]
            if not frac:
                frac = "0"
            return sign + intpart + "." + frac
        return sign + "0." + "0" * (-exponent - 1) + digits
    frac = digits[1:]
    if not frac:
        frac = "0"
    return sign + digits[0] + "." + frac + "E" + str(exponent)


def shortest_digits(x):
    """The fewest significant digits that read back as x, and the decimal
    exponent of the first one (x > 0)."""
    text = formatd(x, 'e', 16)
    for precision in range(17):
        candidate = formatd(x, 'e', precision)
        if string_to_float(candidate) == x:
            text = candidate
            break
    epos = text.find('e')
    assert epos > 0
    mantissa = text[:epos]
    exponent = string_to_int(text[epos + 1:])
    digits = []
    for c in mantissa:
        if c != '.':
            digits.append(c)
    while len(digits) > 1 and digits[-1] == '0':
        digits.pop()
    return "".join(digits), exponent


# ------------------------------------------------ GUI, headless (spec 5.7)

def is_transcript_pane(interp, w_pane):
    w_transcript = interp.space.w_Transcript
    if w_transcript is None:
        return False
    return interp.space.safe_fetch(w_transcript, 5) is w_pane


@primitive(82, 2)
def pane_set_text(interp, args_w):
    """Transcript text goes to stdout (only the new suffix), text on other
    panes (error windows) to stderr."""
    w_pane = args_w[0]
    text = interp.space.unwrap_string(args_w[1])
    old = ""
    if isinstance(w_pane, W_HostObject):
        old = w_pane.text
        w_pane.text = text
    if is_transcript_pane(interp, w_pane):
        if old and text.startswith(old):
            write_stdout(text[len(old):])
        else:
            write_stdout(text)
    else:
        if text and not text.endswith("\n"):
            text += "\n"
        write_stderr(text)
    return args_w[1]


@primitive(89, 2)
def pane_print(interp, args_w):
    write_stdout(interp.space.unwrap_string(args_w[1]))
    return args_w[1]


@primitive(80, 2)
def pane_get_text(interp, args_w):
    w_class = class_arg(args_w[0])
    w_pane = args_w[1]
    text = ""
    if isinstance(w_pane, W_HostObject):
        text = w_pane.text
    return W_BytesObject(w_class, [c for c in text])


@primitive(81, 2)
def pane_get_selected_text(interp, args_w):
    class_arg(args_w[0])
    return W_BytesObject(args_w[0], [])


@primitive(83, 1)
def pane_get_index(interp, args_w):
    return interp.space.wrap_int(0)


def make_widget(number, argc):
    def widget(interp, args_w):
        return new_host_object(interp, args_w[0])
    widget.func_name = "widget_%d" % number
    primitive(number, argc)(widget)

for _number, _argc in [(60, 1), (70, 2), (71, 3), (72, 1), (73, 1), (74, 4),
                       (75, 3), (76, 6), (85, 5), (90, 2)]:
    make_widget(_number, _argc)


def answer_arg(number, argc, index):
    def stub(interp, args_w):
        return args_w[index]
    stub.func_name = "stub_%d" % number
    primitive(number, argc)(stub)

for _number, _argc, _index in [(61, 2, 1), (62, 2, 0), (63, 3, 0),
                               (64, 2, 0), (65, 2, 0), (66, 1, 0),
                               (77, 2, 0), (79, 2, 0), (84, 2, 0),
                               (86, 2, 0), (87, 2, 0), (88, 2, 0),
                               (91, 3, 0), (118, 2, 0)]:
    answer_arg(_number, _argc, _index)
