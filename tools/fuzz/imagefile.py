"""Records of a SmallWorld image (spec section 1), read and written.

A small reader/writer for mutation: records stay in file order and keep
their indices, so a mutant differs from its parent only where it was
edited.  No checks beyond what is needed to parse.
"""

import struct

SMALLINT, BYTES, POINTERS = 0, 1, 2


class ImageFormatError(ValueError):
    pass


class Record(object):
    """One image record: type, class index, pointer slots, value/bytes."""
    __slots__ = ("type", "cls", "slots", "value", "data")

    def __init__(self, type, cls, slots=(), value=0, data=b""):
        self.type = type
        self.cls = cls
        self.slots = list(slots)
        self.value = value
        self.data = bytes(data)

    def copy(self):
        return Record(self.type, self.cls, self.slots, self.value, self.data)

    def __eq__(self, other):
        return (isinstance(other, Record) and
                (self.type, self.cls, self.slots, self.value, self.data) ==
                (other.type, other.cls, other.slots, other.value, other.data))

    def __repr__(self):
        if self.type == SMALLINT:
            return "Record(int %d)" % self.value
        if self.type == BYTES:
            return "Record(bytes cls=%d %r)" % (self.cls, self.data[:20])
        return "Record(ptrs cls=%d %r)" % (self.cls, self.slots[:8])


def parse(data):
    """Answer the list of records of image bytes `data`."""
    if len(data) < 4:
        raise ImageFormatError("no version word")
    (version,) = struct.unpack_from(">i", data, 0)
    if version != 1:
        raise ImageFormatError("version word %d" % version)
    pos = 4
    records = []
    end = len(data)
    while pos < end:
        if pos + 16 > end:
            raise ImageFormatError("truncated header at %d" % pos)
        length, type, cls, nslots = struct.unpack_from(">iiii", data, pos)
        pos += 16
        if nslots < 0 or pos + 4 * nslots > end:
            raise ImageFormatError("bad slot count %d at %d" % (nslots, pos))
        slots = list(struct.unpack_from(">%di" % nslots, data, pos))
        pos += 4 * nslots
        if type == SMALLINT:
            if pos + 4 > end:
                raise ImageFormatError("truncated SmallInt at %d" % pos)
            (value,) = struct.unpack_from(">i", data, pos)
            pos += 4
            records.append(Record(SMALLINT, cls, slots, value=value))
        elif type == BYTES:
            count = length - 4 - nslots
            if count < 0 or pos + count > end:
                raise ImageFormatError("bad byte count %d at %d" % (count, pos))
            records.append(Record(BYTES, cls, slots, data=data[pos:pos + count]))
            pos += count
        elif type == POINTERS:
            records.append(Record(POINTERS, cls, slots))
        else:
            raise ImageFormatError("type code %d at %d" % (type, pos))
    return records


def serialize(records):
    """Image bytes for `records` (the layouts of spec 1.3/1.4)."""
    out = [struct.pack(">i", 1)]
    for rec in records:
        n = len(rec.slots)
        if rec.type == SMALLINT:
            out.append(struct.pack(">iiii", 5, SMALLINT, rec.cls, n))
            out.append(struct.pack(">%di" % n, *rec.slots))
            out.append(struct.pack(">i", rec.value))
        elif rec.type == BYTES:
            out.append(struct.pack(">iiii", 4 + n + len(rec.data), BYTES,
                                   rec.cls, n))
            out.append(struct.pack(">%di" % n, *rec.slots))
            out.append(rec.data)
        else:
            out.append(struct.pack(">iiii", 4 + n, POINTERS, rec.cls, n))
            out.append(struct.pack(">%di" % n, *rec.slots))
    return b"".join(out)


def record_offsets(data):
    """Byte offsets where each record starts (for raw mutants that cut or
    overwrite at a record boundary)."""
    offsets = []
    pos = 4
    end = len(data)
    while pos + 16 <= end:
        offsets.append(pos)
        length, type, cls, nslots = struct.unpack_from(">iiii", data, pos)
        if type == SMALLINT:
            pos += 16 + 4 * nslots + 4
        elif type == BYTES:
            pos += 16 + 4 * nslots + (length - 4 - nslots)
        else:
            pos += 16 + 4 * nslots
    return offsets
