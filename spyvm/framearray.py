"""The temporaries and arguments Arrays of contexts (context.py:
temps_array, args_array): Arrays like any other to Smalltalk code, kept in
lists of their own low-level types.

Why: a trace's heap cache forgets an array item whenever the trace stores
into an array of the same low-level type at an index it cannot tell
apart.  A block's loop reads its home's temporaries and arguments from
these Arrays; when they shared W_PointersObject's lists, every
`flags at: k put: false` in the loop made the trace read every
temporary again and guard its class and storage again (tinyBenchmarks'
sieve, `atAllPut:`).  Here objects sit in a list of erased pointers and
SmallInts in a list of unsigned words, types no other object uses, so
stores into user Arrays leave them cached.

The storage mirrors W_PointersObject's (model.py): an object slot that
is None means a raw word, `v ^ NIL_TAG` for SmallInt v, RAW_NIL for nil.
An arguments Array has no word list: it holds objects only, as the
Arrays of a send do.  `switch_to_objects` turns a frame Array into a
plain one for good (slots_w), for the code that wants object lists:
sends, method dictionaries, classes and methods.
"""

from rpython.rlib import jit, rerased
from rpython.rlib.rarithmetic import r_uint, intmask

from spyvm.errors import index_error
from spyvm.model import (W_PointersObject, W_SmallInt, NIL_TAG, RAW_NIL,
                         word_value)

erase, unerase = rerased.new_erasing_pair("frame slot")
ERASED_NONE = erase(None)
# the word list of a temporaries Array that has not held a SmallInt yet
NO_FRAME_WORDS = []


class W_FrameArray(W_PointersObject):
    """An Array in frame storage (`objs` not None, `slots_w` None) or,
    after switch_to_objects, a plain W_PointersObject (`slots_w`).
    W_PointersObject's methods call the `frame_` methods below while
    `slots_w` is None."""
    _attrs_ = ['objs', 'words']
    frame_storage = True

    def __init__(self, w_class, objs, words):
        W_PointersObject.__init__(self, w_class, None)
        self.objs = objs
        self.words = words

    def frame_size(self):
        return len(self.objs)

    def frame_object_at(self, index):
        return unerase(self.objs[index])

    def frame_word(self, index):
        words = self.words
        if words is None or len(words) == 0:
            return RAW_NIL
        return intmask(words[index])

    def frame_fetch(self, space, index):
        objs = self.objs
        if not 0 <= index < len(objs):
            raise index_error(index)
        w_value = unerase(objs[index])
        if w_value is None:
            return word_value(space, self.frame_word(index))
        return w_value

    def frame_store(self, space, index, w_value):
        objs = self.objs
        if not 0 <= index < len(objs):
            raise index_error(index)
        words = self.words
        if words is not None:
            if isinstance(w_value, W_SmallInt) and w_value.value != NIL_TAG:
                if len(words) == 0:
                    words = [r_uint(RAW_NIL)] * len(objs)
                    self.words = words
                clear_object(objs, index)
                words[index] = r_uint(w_value.value ^ NIL_TAG)
                return
            if w_value is space.w_nil:
                clear_object(objs, index)
                if len(words) != 0:
                    words[index] = r_uint(RAW_NIL)
                return
        objs[index] = erase(w_value)

    def frame_items(self, space):
        items_w = [None] * len(self.objs)
        for i in range(len(items_w)):
            items_w[i] = self.frame_fetch(space, i)
        return items_w

    def frame_forget(self):
        self.objs = None
        self.words = None

    def __repr__(self):
        return "W_FrameArray(%d slots)" % self.size()


def clear_object(objs, index):
    # only write when needed, as W_PointersObject._clear_object
    if unerase(objs[index]) is not None:
        objs[index] = ERASED_NONE


def temps_array(w_Array, size):
    """A temporaries Array of `size` nils."""
    return W_FrameArray(w_Array, [ERASED_NONE] * size, NO_FRAME_WORDS)


@jit.unroll_safe
def args_array(w_Array, items_w):
    """An arguments Array holding items_w (objects only)."""
    objs = [ERASED_NONE] * len(items_w)
    for i in range(len(items_w)):
        objs[i] = erase(items_w[i])
    return W_FrameArray(w_Array, objs, None)
