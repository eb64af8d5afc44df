"""Float primitives (50-59), with Java-style float printing."""

import sys
import time
import math

from rpython.rlib.rarithmetic import intmask, string_to_int
from rpython.rlib.rfloat import (formatd, isinf, isnan, string_to_float,
                                 INFINITY, NAN)
from rpython.rlib.rrandom import Random

from spyvm.model import W_BytesObject, W_Float
from spyvm.primitives.table import (primitive, int_arg, float_arg,
                                    class_arg, STATE)


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
    if STATE.random is None:
        STATE.random = Random(intmask(int(time.time() * 1000.0)))
    return wrap_float(interp, args_w[0], STATE.random.random())


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
