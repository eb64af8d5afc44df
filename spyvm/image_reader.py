"""Reader for SmallWorld image format version 1 (spec section 1)."""

from spyvm.model import W_SmallInt, W_PointersObject, W_BytesObject
from spyvm.errors import ImageError

TYPE_SMALLINT = 0
TYPE_BYTES = 1
TYPE_POINTERS = 2


class Record(object):
    """One record as read, before indices are resolved."""
    _attrs_ = ['type', 'class_index', 'slots', 'value', 'payload']

    def __init__(self, type, class_index, slots, value, payload):
        self.type = type
        self.class_index = class_index
        self.slots = slots
        self.value = value
        self.payload = payload


class WordStream(object):
    _attrs_ = ['data', 'pos']

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def at_end(self):
        return self.pos >= len(self.data)

    def next_word(self, what):
        pos = self.pos
        if pos + 4 > len(self.data):
            raise ImageError("image truncated at byte %d while reading %s"
                             % (pos, what))
        d = self.data
        value = ((ord(d[pos]) << 24) | (ord(d[pos + 1]) << 16) |
                 (ord(d[pos + 2]) << 8) | ord(d[pos + 3]))
        if value >= 0x80000000:
            value -= 0x100000000
        self.pos = pos + 4
        return value

    def next_bytes(self, count, what):
        pos = self.pos
        if count < 0 or pos + count > len(self.data):
            raise ImageError("image truncated at byte %d while reading %s"
                             % (pos, what))
        self.pos = pos + count
        return self.data[pos:pos + count]


def read_records(data):
    stream = WordStream(data)
    if len(data) == 0:
        raise ImageError("image file is empty")
    version = stream.next_word("the version word")
    if version != 1:
        raise ImageError("not a SmallWorld image: version word is %d, "
                         "expected 1" % version)
    records = []
    while not stream.at_end():
        index = len(records)
        what = "record %d" % index
        length = stream.next_word(what)
        type = stream.next_word(what)
        class_index = stream.next_word(what)
        slot_count = stream.next_word(what)
        if slot_count < 0 or slot_count > len(data):
            raise ImageError("record %d: bad slot count %d"
                             % (index, slot_count))
        if type == TYPE_SMALLINT:
            if length != 5 or slot_count != 0:
                raise ImageError("record %d: SmallInt record with length %d "
                                 "and %d slots" % (index, length, slot_count))
            value = stream.next_word(what)
            records.append(Record(type, class_index, [], value, ""))
            continue
        if type != TYPE_BYTES and type != TYPE_POINTERS:
            raise ImageError("record %d: unknown type code %d"
                             % (index, type))
        slots = [0] * slot_count
        for i in range(slot_count):
            slots[i] = stream.next_word(what)
        payload = ""
        if type == TYPE_POINTERS:
            if length != 4 + slot_count:
                raise ImageError("record %d: length %d does not match %d "
                                 "slots" % (index, length, slot_count))
        else:
            if slot_count != 0:
                raise ImageError("record %d: byte object with %d pointer "
                                 "slots is not supported"
                                 % (index, slot_count))
            payload = stream.next_bytes(length - 4 - slot_count, what)
        records.append(Record(type, class_index, slots, 0, payload))
    return records


def load_image(space, data):
    """Parse `data`, create the objects and install the roots in `space`.

    Answers the list of objects in record order.
    """
    records = read_records(data)
    count = len(records)
    objects_w = [None] * count
    for i in range(count):
        rec = records[i]
        if rec.type == TYPE_SMALLINT:
            objects_w[i] = W_SmallInt(rec.value)
        elif rec.type == TYPE_BYTES:
            objects_w[i] = W_BytesObject(None, [c for c in rec.payload])
        else:
            objects_w[i] = W_PointersObject(None, [None] * len(rec.slots))
    for i in range(count):
        rec = records[i]
        if not 0 <= rec.class_index < count:
            raise ImageError("record %d: class index %d out of range (%d "
                             "records)" % (i, rec.class_index, count))
        w_obj = objects_w[i]
        if isinstance(w_obj, W_BytesObject):
            w_obj.w_class = objects_w[rec.class_index]
        elif isinstance(w_obj, W_PointersObject):
            w_obj.w_class = objects_w[rec.class_index]
            for j in range(len(rec.slots)):
                ref = rec.slots[j]
                if not 0 <= ref < count:
                    raise ImageError("record %d: slot %d refers to record %d "
                                     "of %d" % (i, j, ref, count))
                w_obj.slots_w[j] = objects_w[ref]
    check_image(space, objects_w)
    space.install_roots(objects_w)
    return objects_w


def check_image(space, objects_w):
    """The recommended extra checks of spec 1.11."""
    if len(objects_w) < 17:
        raise ImageError("image has only %d records; a SmallWorld image "
                         "has at least 17" % len(objects_w))
    for i in range(10):
        w_int = objects_w[7 + i]
        if not isinstance(w_int, W_SmallInt) or w_int.value != i:
            raise ImageError("record %d must be the SmallInt %d" % (7 + i, i))
    for i in range(7):
        w_obj = objects_w[i]
        if not isinstance(w_obj, W_PointersObject):
            raise ImageError("record %d must be a pointer object" % i)
        w_class = w_obj.w_class
        if not isinstance(w_class, W_PointersObject) or w_class.size() < 3:
            raise ImageError("record %d: its class is not a class" % i)
    if space.class_name(objects_w[0].getclass(space)) != "Undefined":
        raise ImageError("record 0 is not nil (its class is not Undefined)")
    for i in range(3, 7):
        w_class = objects_w[i]
        if not isinstance(w_class, W_PointersObject) or w_class.size() < 3:
            raise ImageError("record %d must be a class" % i)
