"""Green keys are hashed by serial numbers (spyvm/greenhash.py), so the
JIT's counters do not depend on where ASLR put the heap."""

from rpython.jit.metainterp import warmstate
from rpython.rtyper.lltypesystem import lltype
from rpython.rtyper.rclass import getinstancerepr
from rpython.rtyper.test.test_llinterp import gengraph

from spyvm import greenhash, interpreter
from spyvm.code import code_of_method
from spyvm.loopkey import LoopKey
from tests.mini import *


def test_the_jit_hashes_green_keys_with_spy_s_function():
    # interpreter.py, which makes the jitdriver, installs it
    assert interpreter.jitdriver is not None
    assert warmstate.hash_whatever is greenhash.hash_whatever


def test_every_green_object_gets_its_own_serial():
    image = mini_image()
    code_a = code_of_method(image.space, image.install(
        "Object", "a", assemble(self_return())))
    code_b = code_of_method(image.space, image.install(
        "Object", "b", assemble(self_return())))
    root = LoopKey.root()
    child = root.child(code_a, 3)
    hashes = [code_a.green_hash, code_b.green_hash, root.green_hash,
              child.green_hash, interpreter.Interpreter(image.space).green_hash]
    assert len(set(hashes)) == len(hashes)
    # an interned key keeps its hash
    assert root.child(code_a, 3).green_hash == child.green_hash


def lowlevel_type(cls, make):
    """The pointer type RPython gives instances of cls."""
    t, rtyper, graph = gengraph(make, [])
    classdef = t.annotator.bookkeeper.getuniqueclassdef(cls)
    return getinstancerepr(rtyper, classdef).lowleveltype


def test_a_green_key_object_is_hashed_by_its_serial_not_its_address():
    def make():
        return LoopKey.root().green_hash
    KEY = lowlevel_type(LoopKey, make)
    assert greenhash.FIELD in KEY.TO._flds
    key = lltype.malloc(KEY.TO)
    key.inst_green_hash = 12345
    assert greenhash.hash_whatever(KEY, key) == 12345
    assert greenhash.hash_whatever(KEY, lltype.nullptr(KEY.TO)) == 0


def test_other_objects_keep_rpython_s_hash():
    S = lltype.GcStruct('S', ('x', lltype.Signed))
    s = lltype.malloc(S)
    assert greenhash.hash_whatever(lltype.Ptr(S), s) == lltype.identityhash(s)
    assert greenhash.hash_whatever(lltype.Signed, 42) == 42


def test_serials_spread_over_the_counter_index_bits():
    # JitCounter indexes its table by bits 21..31 of the 32-bit hash
    serials = greenhash.Serials()
    indices = set()
    for i in range(256):
        indices.add((serials.next() & 0xFFFFFFFF) >> 21)
    assert len(indices) > 200
