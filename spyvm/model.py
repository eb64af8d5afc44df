"""Smalltalk-level objects.

Every object a Smalltalk program can touch is a W_Object.  Pointer and byte
objects mirror the image's record types; SmallInts are boxed host words; host
objects (floats, files, GUI handles) carry an opaque payload and are saved as
nil.  Contexts and blocks have their own classes (see context.py) but answer
the same slot protocol, so reflection sees the layouts of spec section 2.
"""

import sys

from spyvm.errors import PrimitiveFailed, index_error
from spyvm.hostio import LineBuffer


class W_Object(object):
    """Base of every Smalltalk object."""
    _attrs_ = []
    _settled_ = True

    def getclass(self, space):
        raise NotImplementedError

    def size(self):
        """Number of indexable units: slots, or bytes for byte objects."""
        return 0

    def fetch(self, space, index):
        raise PrimitiveFailed("object has no slot %d" % (index + 1))

    def store(self, space, index, w_value):
        raise PrimitiveFailed("object has no slot %d" % (index + 1))

    def is_same_object(self, w_other):
        """Identity as primitive 1 sees it (SmallInts compare by value)."""
        return self is w_other

    def is_host_object(self):
        """Host objects are never written to an image (spec 1.8)."""
        return False

    def as_string(self):
        raise PrimitiveFailed("not a byte object")


class W_SmallInt(W_Object):
    """An immediate integer: a 64-bit machine word."""
    _attrs_ = ['value']
    _immutable_fields_ = ['value']

    def __init__(self, value):
        self.value = value

    def getclass(self, space):
        return space.w_SmallInt

    def is_same_object(self, w_other):
        return isinstance(w_other, W_SmallInt) and w_other.value == self.value

    def __repr__(self):
        return "W_SmallInt(%d)" % self.value


class W_AbstractObjectWithClass(W_Object):
    _attrs_ = ['w_class']
    _immutable_fields_ = ['w_class']

    def __init__(self, w_class):
        self.w_class = w_class

    def getclass(self, space):
        return self.w_class


class W_PointersObject(W_AbstractObjectWithClass):
    """Class pointer plus a fixed number of pointer slots.

    Storage: objects made at run time (temporaries, `new`, `new:`) keep a
    second list `ints` beside `slots_w`.  A slot whose `slots_w` entry is
    None holds a SmallInt or nil as a raw word in `ints` (see NIL_TAG below);
    any other object goes to `slots_w`.  The word list is made by the first
    SmallInt stored; until then `ints` is the shared empty NO_WORDS and every
    word is RAW_NIL, so an object that only ever holds objects (a tree of
    Arrays) costs two allocations, not three.  Loops that keep integers in
    temporaries, instance variables or arrays then store words, not boxes,
    and their traces need not allocate.  Objects from the image or built
    from a list have `ints` None and every slot in `slots_w`.

    `shadow` caches a derived view of the object: the lookup state of a
    class, or the decoded code of a method.  Writes that change what the
    shadow was derived from notify it.

    A frame Array (framearray.py) has `slots_w` None while its slots live
    in its own lists; the methods here hand it the work (the `frame_`
    methods), so that they stay direct calls for every other object.
    """
    _attrs_ = ['slots_w', 'ints', 'shadow']
    _immutable_fields_ = ['shadow?']
    # Only a W_FrameArray's slots_w is ever None.  A class attribute lives
    # in the vtable, so a trace that knows the exact class (a send guards
    # it) folds this test, and with it the None test of slots_w: one guard
    # fewer per slot read.
    frame_storage = False
    # a class default, not a write in __init__: a fresh object's field is
    # already null, and a write to a quasi-immutable field would be traced
    # as a check of its watchers (an operation and a guard per object)
    shadow = None

    def __init__(self, w_class, slots_w):
        W_AbstractObjectWithClass.__init__(self, w_class)
        self.slots_w = slots_w
        self.ints = None

    @staticmethod
    def new_nils(w_class, size):
        """A fresh object of `size` nil slots that can hold raw words."""
        w_obj = W_PointersObject(w_class, [None] * size)
        w_obj.ints = NO_WORDS
        return w_obj

    def size(self):
        slots_w = self.slots_w
        if self.frame_storage and slots_w is None:
            return self.frame_size()
        return len(slots_w)

    def items(self, space):
        """The slots as a list of objects (the list itself, or a copy)."""
        if self.frame_storage and self.slots_w is None:
            return self.frame_items(space)
        if self.ints is None:
            return self.slots_w
        items_w = [None] * len(self.slots_w)
        for i in range(len(items_w)):
            items_w[i] = self.fetch(space, i)
        return items_w

    def fetch(self, space, index):
        slots_w = self.slots_w
        if self.frame_storage and slots_w is None:
            return self.frame_fetch(space, index)
        if not 0 <= index < len(slots_w):
            raise index_error(index)
        w_value = slots_w[index]
        if w_value is None:
            return word_value(space, self.word(index))
        return w_value

    def object_at(self, index):
        """The object in slot `index`, or None where it holds a raw word
        (read word(index)); the index must be in bounds."""
        slots_w = self.slots_w
        if self.frame_storage and slots_w is None:
            return self.frame_object_at(index)
        return slots_w[index]

    def word(self, index):
        """The raw word of a slot whose object is None."""
        if self.frame_storage and self.slots_w is None:
            return self.frame_word(index)
        ints = self.ints
        if len(ints) == 0:
            return RAW_NIL      # NO_WORDS: no SmallInt stored yet
        return ints[index]

    def store(self, space, index, w_value):
        slots_w = self.slots_w
        if self.frame_storage and slots_w is None:
            self.frame_store(space, index, w_value)
            return
        if not 0 <= index < len(slots_w):
            raise index_error(index)
        ints = self.ints
        if ints is not None:
            if isinstance(w_value, W_SmallInt) and w_value.value != NIL_TAG:
                if len(ints) == 0:
                    # zeroed memory, even in traces: every word RAW_NIL
                    ints = [RAW_NIL] * len(self.slots_w)
                    self.ints = ints
                self._clear_object(index)
                ints[index] = w_value.value ^ NIL_TAG
                return
            if w_value is space.w_nil:
                self._clear_object(index)
                if len(ints) != 0:
                    ints[index] = RAW_NIL
                return
        slots_w[index] = w_value
        if self.shadow is not None:
            self.shadow.slot_changed(space, self, index)

    def _clear_object(self, index):
        # only write when needed: in a trace the test folds away, and a
        # store into an object array would make the optimizer forget what
        # it knows about every other object array (arguments, stacks)
        if self.slots_w[index] is not None:
            self.slots_w[index] = None

    def switch_to_objects(self, space):
        """Keep every slot in slots_w from now on."""
        # every send asks this of its arguments Array: a test small enough
        # to be inlined, the work out of line
        if (self.frame_storage and self.slots_w is None) or \
                self.ints is not None:
            self._switch_to_objects(space)

    def _switch_to_objects(self, space):
        if self.slots_w is None:
            self.slots_w = self.frame_items(space)
            self.frame_forget()
        else:
            self.slots_w = self.items(space)
            self.ints = None

    def grow(self, space, w_value):
        """Primitive 32: one more slot, keeping identity."""
        self.switch_to_objects(space)
        self.slots_w = self.slots_w + [w_value]
        if self.shadow is not None:
            self.shadow.slot_changed(space, self, len(self.slots_w) - 1)

    # ------------------------------------------ frame Arrays (framearray.py)

    def frame_size(self):
        raise NotImplementedError

    def frame_items(self, space):
        raise NotImplementedError

    def frame_fetch(self, space, index):
        raise NotImplementedError

    def frame_store(self, space, index, w_value):
        raise NotImplementedError

    def frame_object_at(self, index):
        raise NotImplementedError

    def frame_word(self, index):
        raise NotImplementedError

    def frame_forget(self):
        raise NotImplementedError

    def __repr__(self):
        return "W_PointersObject(%d slots)" % self.size()


# The integer strategy stores a SmallInt v as v ^ NIL_TAG, so that raw 0
# (what fresh memory holds) is nil and the one SmallInt it cannot hold is
# NIL_TAG itself.
NIL_TAG = -sys.maxint - 1
RAW_NIL = 0


def word_value(space, raw):
    """The object a raw word stands for: nil or a SmallInt."""
    if raw == RAW_NIL:
        return space.w_nil
    return W_SmallInt(raw ^ NIL_TAG)
# the word list of an object that has not held a SmallInt yet; never written
NO_WORDS = []


class W_BytesObject(W_AbstractObjectWithClass):
    """Class pointer plus a mutable byte vector (String, ByteArray)."""
    _attrs_ = ['bytes']

    def __init__(self, w_class, bytes):
        W_AbstractObjectWithClass.__init__(self, w_class)
        self.bytes = bytes      # a list of single-character strings

    def size(self):
        return len(self.bytes)

    def as_string(self):
        return "".join(self.bytes)

    def getbyte(self, index):
        if not 0 <= index < len(self.bytes):
            raise index_error(index)
        return ord(self.bytes[index])

    def setbyte(self, index, value):
        if not 0 <= index < len(self.bytes):
            raise index_error(index)
        self.bytes[index] = chr(value & 255)

    def __repr__(self):
        return "W_BytesObject(%r)" % self.as_string()


class W_HostObject(W_AbstractObjectWithClass):
    """A GUI handle, semaphore or other opaque host value (spec 1.8)."""
    _attrs_ = ['text', 'w_value']

    def __init__(self, w_class):
        W_AbstractObjectWithClass.__init__(self, w_class)
        self.text = ""          # last text set on a pane (primitive 82)
        self.w_value = None     # semaphore value (primitives 101/102)

    def is_host_object(self):
        return True


class W_Float(W_AbstractObjectWithClass):
    """A Float is a host double (primitives 50-59)."""
    _attrs_ = ['value']
    _immutable_fields_ = ['value']

    def __init__(self, w_class, value):
        W_AbstractObjectWithClass.__init__(self, w_class)
        self.value = value

    def is_host_object(self):
        return True


class W_File(W_AbstractObjectWithClass):
    """An open file (primitives 41-44): a host stream, never saved."""
    _attrs_ = ['fd', 'writable', 'lines']

    def __init__(self, w_class, fd, writable):
        W_AbstractObjectWithClass.__init__(self, w_class)
        self.fd = fd
        self.writable = writable
        self.lines = LineBuffer(fd)     # primitive 44

    def is_host_object(self):
        return True


class Shadow(object):
    """Derived state cached on a W_PointersObject (class or method)."""
    _attrs_ = []

    def slot_changed(self, space, w_obj, index):
        raise NotImplementedError
