"""The primitive table, the checks of primitive arguments, and the state
primitives keep between calls."""

from spyvm.model import W_PointersObject, W_BytesObject, W_HostObject, W_Float
from spyvm.errors import PrimitiveFailed

TABLE = [None] * 128


class PrimitiveState(object):
    """What primitives remember: the clock's zero (set at start-up) and
    the random generator of primitive 58 (made on first use)."""
    _attrs_ = ['start_ms', 'random']

    def __init__(self):
        self.start_ms = 0
        self.random = None


STATE = PrimitiveState()


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


def check_memory(interp, nbytes, what, count=-1, unit=""):
    """Large allocations must fit under the memory ceiling (memory.py)."""
    interp.space.memory.check_allocation(nbytes, what, count, unit)


# what one slot of a run-time pointer object costs: an object and a word
SLOT_BYTES = 16


def new_host_object(interp, w_class):
    return W_HostObject(class_arg(w_class))
