"""Navigation over parsed image records: class names, classes, methods.

Mutators use it to aim at meaningful places (a Method's stackSize, a
class's superclass) rather than only at random words.
"""

from tools.fuzz.imagefile import SMALLINT, BYTES, POINTERS

ARRAY_CLASS = 3
SMALLINT_CLASS = 6
FIRST_FREE_INT = 17        # records 7..16 are the SmallInts 0..9 (spec 1.6)
METHOD_FIELDS = ("name", "byteCodes", "literals", "stackSize",
                 "temporarySize", "class", "text")


class ImageInfo(object):
    def __init__(self, records):
        self.records = records
        self.count = len(records)
        self.w_class_class = self._cls(self._cls(ARRAY_CLASS))
        self.classes = self._find_classes()
        self.class_by_name = {}
        for index in self.classes:
            self.class_by_name.setdefault(self.name_of(index), index)
        method_class = self.class_by_name.get("Method")
        self.methods = [i for i, r in enumerate(records)
                        if r.cls == method_class and r.type == POINTERS
                        and len(r.slots) >= 6]
        self.ints = [i for i, r in enumerate(records)
                     if r.type == SMALLINT and i >= FIRST_FREE_INT]
        self.strings = [i for i, r in enumerate(records) if r.type == BYTES]
        self.pointers = [i for i, r in enumerate(records)
                         if r.type == POINTERS and r.slots]
        self.int_index = {}
        for i, r in enumerate(records):
            if r.type == SMALLINT:
                self.int_index.setdefault(r.value, i)

    def _cls(self, index):
        if 0 <= index < self.count:
            return self.records[index].cls
        return 0

    def _find_classes(self):
        """Every record used as a class, plus `Class classes` and their
        metaclasses (spec 1.6)."""
        found = set(r.cls for r in self.records if 0 <= r.cls < self.count)
        rec = self.records[self.w_class_class]
        if rec.type == POINTERS and len(rec.slots) > 5:
            listing = self.records[rec.slots[5]]
            if listing.type == POINTERS:
                for index in listing.slots:
                    found.add(index)
                    found.add(self._cls(index))
        return sorted(i for i in found
                      if self.records[i].type == POINTERS and
                      len(self.records[i].slots) >= 3)

    def string(self, index):
        if 0 <= index < self.count and self.records[index].type == BYTES:
            return self.records[index].data.decode("latin-1")
        return "?"

    def name_of(self, class_index):
        rec = self.records[class_index]
        if rec.type == POINTERS and rec.slots:
            return self.string(rec.slots[0])
        return "?"

    def method_label(self, index):
        """`Class>>selector` for a Method record."""
        rec = self.records[index]
        owner = rec.slots[5] if len(rec.slots) > 5 else 0
        return "%s>>%s" % (self.name_of(owner) if owner in self.classes
                           else "?", self.string(rec.slots[0]))

    def label(self, index):
        """A short human name for any record."""
        rec = self.records[index]
        if rec.type == SMALLINT:
            return "int %d (#%d)" % (rec.value, index)
        if index in self.classes:
            return "class %s (#%d)" % (self.name_of(index), index)
        if index in self._method_set():
            return "method %s (#%d)" % (self.method_label(index), index)
        cname = self.name_of(rec.cls) if rec.cls in self.classes else "?"
        if rec.type == BYTES:
            return "%s %r (#%d)" % (cname, rec.data[:24].decode("latin-1"),
                                    index)
        return "a %s (#%d)" % (cname, index)

    def _method_set(self):
        if not hasattr(self, "_methods_cache"):
            self._methods_cache = set(self.methods)
        return self._methods_cache
