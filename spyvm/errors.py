"""Exceptions that carry control flow and errors through the host stack."""

from rpython.rlib.objectmodel import dont_inline


class SpyError(Exception):
    """Base class; every subclass has a human-readable `msg`."""
    _attrs_ = ['msg']

    def __init__(self, msg):
        self.msg = msg

    def __str__(self):
        return self.msg


class ImageError(SpyError):
    """The image file is missing, truncated or malformed."""


class PrimitiveFailed(SpyError):
    """A primitive got arguments it cannot handle.

    The interpreter turns this into a Smalltalk-level error (a send of
    error: to the receiver), so the image prints a backtrace.
    """


@dont_inline
def index_error(index):
    """Out of line: formatting the message in a slot accessor would make it
    too big for the C compiler to inline."""
    return PrimitiveFailed("index %d out of bounds" % (index + 1))


class VMError(SpyError):
    """A Smalltalk execution cannot continue (bad bytecode, missing
    doesNotUnderstand:, host stack exhausted).  Unwinds to the nearest
    execution boundary, which prints `msg` and the backtrace of `w_context`.
    Raisers pass the context through context.heap_ref (the interpreter's
    access_directly view must not be stored in the heap).
    """
    _attrs_ = ['w_context']

    def __init__(self, msg, w_context=None):
        SpyError.__init__(self, msg)
        self.w_context = w_context


class Halt(Exception):
    """Primitive 34: abort the innermost execution (spec 5.7)."""
    _attrs_ = []


class Exit(Exception):
    """Primitive 117 or the host asks the process to end."""
    _attrs_ = ['status']

    def __init__(self, status):
        self.status = status


class NonLocalReturn(Exception):
    """`^` inside a block: return `w_value` to `w_target` (spec 3.6)."""
    _attrs_ = ['w_target', 'w_value']

    def __init__(self, w_target, w_value):
        self.w_target = w_target
        self.w_value = w_value
