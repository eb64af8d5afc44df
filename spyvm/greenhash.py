"""Green keys hashed by serial numbers instead of addresses.

RPython finds the counter of a loop header or a function entry by hashing
its green key (`warmstate.JitCell.get_uhash`), and it hashes a green GC
object by its identity hash, which incminimark derives from the object's
address.  ASLR moves the heap from one process to the next, so the same
program on the same image drew different counter slots in every run, and
with them a different order of compilation (docs/architecture.md, "Tree
recursion and history").  The classes that appear in spy's green key carry
a `green_hash`, a serial number taken when the object is made, and this
module makes RPython hash them by it: a program then compiles the same way
in every process, whatever the addresses.

Importing the module installs the hash (interpreter.py imports it next to
the jitdriver); RPython looks `hash_whatever` up when it builds the JIT, so
it must be installed before translation or `meta_interp` starts.
"""

from rpython.jit.metainterp import warmstate
from rpython.rlib.objectmodel import specialize
from rpython.rlib.rarithmetic import intmask
from rpython.rtyper.lltypesystem import lltype

FIELD = 'inst_green_hash'


class Serials(object):
    """The source of green hashes: one sequence per process."""
    _attrs_ = ['last']

    def __init__(self):
        self.last = 0

    def next(self):
        self.last += 1
        # consecutive serials spread over the counter table's index bits
        return intmask(self.last * 0x9E3779B1)


SERIALS = Serials()


def next_green_hash():
    return SERIALS.next()


@specialize.memo()
def _carries_green_hash(TYPE):
    return (isinstance(TYPE, lltype.Ptr) and TYPE.TO._gckind == 'gc' and
            FIELD in TYPE.TO._flds)


_address_hash = warmstate.hash_whatever


@specialize.arg(0)
def hash_whatever(TYPE, x):
    if _carries_green_hash(TYPE):
        if x:
            return getattr(x, FIELD)
        return 0
    return _address_hash(TYPE, x)


def install():
    warmstate.hash_whatever = hash_whatever


install()
