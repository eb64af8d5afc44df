"""Mutants of an image: structural edits on records, and raw byte damage.

A structural mutant is a list of edits (plain tuples, so a failing case can
be shrunk to one edit) applied to the parent's records and re-serialised.
Edits keep every index in range, so most mutants still load and boot; what
they change is what the VM must survive: wrong pointers, absurd integers,
broken methods, objects of the wrong class.
"""

from tools.fuzz.imagefile import Record, SMALLINT, BYTES, POINTERS, serialize
from tools.fuzz.imagefile import record_offsets
from tools.fuzz.imageinfo import SMALLINT_CLASS, METHOD_FIELDS

INT32_MAX = 2 ** 31 - 1
INT32_MIN = -2 ** 31
INTERESTING_INTS = [0, 1, -1, 2, 3, 7, 13, 14, 15, 16, 17, 31, 32, 255, 256,
                    1000, 4096, 65535, 65536, 10 ** 6, 10 ** 9, -10 ** 9,
                    2 ** 30 - 1, 2 ** 30, -2 ** 30, 2 ** 31 - 2, INT32_MAX,
                    INT32_MIN, INT32_MIN + 1]
# classes on every run's path: startUp, the compiler behind doIt, printing
HOT_CLASSES = ["Object", "SmallInt", "Integer", "Number", "String", "Array",
               "Collection", "Indexed", "Class", "MetaClass", "Context",
               "Block", "Transcript", "Parser", "Encoder", "SmallWorld",
               "Char", "List", "Boolean", "True", "False", "Undefined",
               "Magnitude", "ByteArray", "Method", "File",
               "MessageNode", "BodyNode", "BlockNode", "CascadeNode",
               "LiteralNode", "ArgumentNode", "TemporaryNode", "ValueNode",
               "AssignNode", "InstNode", "PrimitiveNode", "ReturnNode"]


def interesting_int(rng):
    if rng.random() < 0.8:
        return rng.choice(INTERESTING_INTS)
    return rng.randint(INT32_MIN, INT32_MAX)


# ---------------------------------------------------------------- edits

def apply_edits(records, edits):
    """A new record list: `records` with `edits` applied (parent intact)."""
    out = list(records)
    int_index = {}
    for i, r in enumerate(records):
        if r.type == SMALLINT:
            int_index.setdefault(r.value, i)

    def own(index):
        if out[index] is records[index]:
            out[index] = records[index].copy()
        return out[index]

    for edit in edits:
        kind, index = edit[0], edit[1]
        if kind == "slot":
            own(index).slots[edit[2]] = edit[3]
        elif kind == "slotint":
            value = edit[3]
            target = int_index.get(value)
            if target is None:
                target = len(out)
                out.append(Record(SMALLINT, SMALLINT_CLASS, value=value))
                int_index[value] = target
            own(index).slots[edit[2]] = target
        elif kind == "int":
            own(index).value = edit[2]
        elif kind == "bytes":
            own(index).data = edit[2]
        elif kind == "cls":
            own(index).cls = edit[2]
        elif kind == "resize":
            rec = own(index)
            n = edit[2]
            rec.slots = (rec.slots + [0] * n)[:n]
        else:
            raise ValueError("unknown edit %r" % (edit,))
    return out


def mutant_bytes(records, edits):
    return serialize(apply_edits(records, edits))


# ------------------------------------------------------ structural ops
# Each op answers (edits, description) or None when it found no target.

def _pick_method(rng, info):
    if not info.methods:
        return None
    if rng.random() < 0.6:
        hot = set(info.class_by_name[n] for n in HOT_CLASSES
                  if n in info.class_by_name)
        hot |= set(info.records[c].cls for c in list(hot))
        candidates = [m for m in info.methods
                      if len(info.records[m].slots) > 5 and
                      info.records[m].slots[5] in hot]
        if candidates:
            return rng.choice(candidates)
    return rng.choice(info.methods)


def op_method_size(rng, info):
    """stackSize or temporarySize set to an absurd or tight value."""
    m = _pick_method(rng, info)
    if m is None:
        return None
    slot = rng.choice((3, 4))
    value = interesting_int(rng)
    return ([("slotint", m, slot, value)],
            "%s %s := %d" % (info.method_label(m), METHOD_FIELDS[slot], value))


def _mutate_bytes(rng, data, alphabet=None):
    data = bytearray(data)
    how = rng.choice(("flip", "set", "insert", "delete", "truncate",
                      "extend", "empty", "swap"))
    def byte():
        return rng.choice(alphabet) if alphabet else rng.randrange(256)
    if how == "flip" and data:
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    elif how == "set" and data:
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = byte()
    elif how == "insert":
        i = rng.randint(0, len(data))
        data[i:i] = bytes(byte() for _ in range(rng.randint(1, 4)))
    elif how == "delete" and data:
        i = rng.randrange(len(data))
        del data[i:i + rng.randint(1, 4)]
    elif how == "truncate" and data:
        del data[rng.randrange(len(data)):]
    elif how == "extend":
        data.extend(byte() for _ in range(rng.randint(1, 8)))
    elif how == "swap" and len(data) > 1:
        i, j = rng.randrange(len(data)), rng.randrange(len(data))
        data[i], data[j] = data[j], data[i]
    else:
        how = "empty"
        data = bytearray()
    return bytes(data), how


def op_method_bytecodes(rng, info):
    """Damage a method's bytecodes (the ByteArray keeps its record)."""
    m = _pick_method(rng, info)
    if m is None:
        return None
    code = info.records[m].slots[1]
    if info.records[code].type != BYTES:
        return None
    data, how = _mutate_bytes(rng, info.records[code].data)
    return ([("bytes", code, data)],
            "%s byteCodes %s -> %s" % (info.method_label(m), how, data.hex()))


def op_method_literals(rng, info):
    """A literal replaced by another object, or the literals Array itself
    replaced."""
    m = _pick_method(rng, info)
    if m is None:
        return None
    lits = info.records[m].slots[2]
    rec = info.records[lits]
    label = info.method_label(m)
    if rec.type == POINTERS and rec.slots and rng.random() < 0.75:
        j = rng.randrange(len(rec.slots))
        if rng.random() < 0.3:
            value = interesting_int(rng)
            return ([("slotint", lits, j, value)],
                    "%s literal %d := %d" % (label, j, value))
        target = _random_target(rng, info)
        return ([("slot", lits, j, target)],
                "%s literal %d := %s" % (label, j, info.label(target)))
    target = _random_target(rng, info)
    return ([("slot", m, 2, target)],
            "%s literals := %s" % (label, info.label(target)))


def op_method_field(rng, info):
    """name, byteCodes, class or text of a Method pointed elsewhere."""
    m = _pick_method(rng, info)
    if m is None:
        return None
    slot = rng.choice((0, 1, 5, 6))
    if slot == 5 and rng.random() < 0.7:
        target = rng.choice(info.classes + [0])
    elif slot in (0, 1) and rng.random() < 0.7:
        target = rng.choice(info.strings)
    else:
        target = _random_target(rng, info)
    return ([("slot", m, slot, target)],
            "%s %s := %s" % (info.method_label(m), METHOD_FIELDS[slot],
                             info.label(target)))


def op_smallint(rng, info):
    """A SmallInt record (shared by every slot holding that value) gets
    another value."""
    if not info.ints:
        return None
    index = rng.choice(info.ints)
    value = interesting_int(rng)
    return ([("int", index, value)],
            "SmallInt %d (#%d) := %d" % (info.records[index].value, index,
                                         value))


def _random_target(rng, info):
    r = rng.random()
    if r < 0.25:
        return rng.randrange(7)          # nil true false Array Block Context SmallInt
    if r < 0.45:
        return rng.choice(info.classes)
    if r < 0.6 and info.ints:
        return rng.choice(info.ints)
    return rng.randrange(info.count)


def op_pointer_slot(rng, info):
    """Any pointer slot of any object pointed at another record."""
    index = rng.choice(info.pointers)
    rec = info.records[index]
    j = rng.randrange(len(rec.slots))
    target = _random_target(rng, info)
    return ([("slot", index, j, target)],
            "%s slot %d := %s" % (info.label(index), j, info.label(target)))


def op_class_pointer(rng, info):
    """An object's class changed (to a class, or to any record)."""
    index = rng.randrange(info.count)
    if rng.random() < 0.7:
        target = rng.choice(info.classes)
    else:
        target = rng.randrange(info.count)
    return ([("cls", index, target)],
            "class of %s := %s" % (info.label(index), info.label(target)))


def op_class_field(rng, info):
    """A class's name, superclass, methods Array or size damaged."""
    c = rng.choice(info.classes)
    slot = rng.choice((0, 1, 1, 2, 2, 3))
    label = info.label(c)
    if slot == 3 or (slot == 2 and rng.random() < 0.2):
        value = interesting_int(rng)
        return ([("slotint", c, slot, value)],
                "%s slot %d := %d" % (label, slot, value))
    if slot == 1:
        target = rng.choice(info.classes + [0, c])
    elif slot == 2:
        target = rng.choice([info.records[x].slots[2] for x in info.classes] +
                            [0, _random_target(rng, info)])
    else:
        target = _random_target(rng, info)
    return ([("slot", c, slot, target)],
            "%s slot %d := %s" % (label, slot, info.label(target)))


def op_resize(rng, info):
    """An object (often a Method or class) with slots removed or added."""
    if rng.random() < 0.5 and info.methods:
        index = _pick_method(rng, info)
    else:
        index = rng.choice(info.pointers)
    n = len(info.records[index].slots)
    new = rng.choice((0, max(0, n - 1), max(0, n - 3), n + 1, n + 5))
    return ([("resize", index, new)],
            "%s resized %d -> %d slots" % (info.label(index), n, new))


def op_string_bytes(rng, info):
    """A String or ByteArray's bytes damaged (selectors, names, code)."""
    index = rng.choice(info.strings)
    alphabet = None
    if rng.random() < 0.5:
        alphabet = b"abcxyz:+-*/<>=^ |[]()'#$.0123456789\n\x00\xff"
    data, how = _mutate_bytes(rng, info.records[index].data, alphabet)
    return ([("bytes", index, data)],
            "%s bytes %s" % (info.label(index), how))


STRUCT_OPS = [
    (op_method_size, 3), (op_method_bytecodes, 4), (op_method_literals, 2),
    (op_method_field, 1), (op_smallint, 2), (op_pointer_slot, 3),
    (op_class_pointer, 2), (op_class_field, 2), (op_resize, 1),
    (op_string_bytes, 1),
]


def structural_mutant(rng, info):
    """1-3 edits; answers (edits, [descriptions])."""
    ops = [op for op, weight in STRUCT_OPS for _ in range(weight)]
    edits, notes = [], []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        for _attempt in range(5):
            result = rng.choice(ops)(rng, info)
            if result:
                edits.extend(result[0])
                notes.append(result[1])
                break
    return edits, notes


# ------------------------------------------------------------ raw ops

def raw_mutant(rng, data):
    """Byte flips, word overwrites, truncations, splices of the raw file.
    Answers (bytes, description)."""
    data = bytearray(data)
    how = rng.choice(("flip", "flip", "byte", "word", "word", "truncate",
                      "truncate", "cut-record", "splice", "garbage",
                      "version"))
    offsets = record_offsets(bytes(data)) or [4]
    if how == "flip":
        spots = []
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
            spots.append(i)
        return bytes(data), "bit flips at %s" % spots
    if how == "byte":
        spots = []
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            data[i] = rng.choice((0, 0xff, 0x7f, 0x80, rng.randrange(256)))
            spots.append(i)
        return bytes(data), "bytes set at %s" % spots
    if how == "word":
        at = rng.choice(offsets) + 4 * rng.randrange(5)
        value = interesting_int(rng)
        data[at:at + 4] = (value & 0xffffffff).to_bytes(4, "big")
        return bytes(data), "word at %d := %d" % (at, value)
    if how == "truncate":
        at = rng.randrange(len(data))
        return bytes(data[:at]), "truncated to %d bytes" % at
    if how == "cut-record":
        at = rng.choice(offsets) + rng.choice((0, 0, 4, 8, 12, 16, 17))
        return bytes(data[:at]), "truncated near a record boundary, %d bytes" % at
    if how == "splice":
        i = rng.randrange(len(data))
        j = min(len(data), i + rng.randint(1, 64))
        if rng.random() < 0.5:
            del data[i:j]
            return bytes(data), "deleted bytes %d..%d" % (i, j)
        data[i:i] = data[i:j]
        return bytes(data), "duplicated bytes %d..%d" % (i, j)
    if how == "garbage":
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        if rng.random() < 0.5:
            return bytes(data) + junk, "appended %d garbage bytes" % len(junk)
        i = rng.randrange(len(data))
        data[i:i] = junk
        return bytes(data), "inserted %d garbage bytes at %d" % (len(junk), i)
    value = rng.choice((0, 2, -1, 0x01000000, INT32_MAX))
    data[0:4] = (value & 0xffffffff).to_bytes(4, "big")
    return bytes(data), "version word := %d" % value
