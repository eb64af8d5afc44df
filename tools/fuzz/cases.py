"""Case families: a case id becomes input files, an argv and stdin.

Families are `KIND.IMAGE`, KIND one of image-struct, image-raw, st, repl
and IMAGE one of own (images/spy.image) or real (the SmallWorld image).
The argv names files relative to the run's scratch directory; the base
image is always copied there too, so a program that saves an image can
never touch the original.
"""

import os

from tools.fuzz import imagefile, imagemut, stgen
from tools.fuzz.imageinfo import ImageInfo
from tools.fuzz.seeds import case_rng, case_id

KINDS = ("image-struct", "image-raw", "st", "repl")
IMAGES = ("own", "real")
# what a mutated image is asked to do after booting: cheap, deterministic
WORKLOADS = ["3 + 4", "'abc' size", "#(3 1 2) printString",
             "(Array new: 3) printString", "(100 * 100) printString size",
             "[:x | x + 1] value: 41", "Object new printString",
             "'hello' + ' world'", "(3 > 2) printString", "7 - 10"]


class Case(object):
    """The input of one case."""

    def __init__(self, id, files, args, stdin=b"", note="", edits=None):
        self.id = id
        self.files = files          # name -> bytes, written to scratch
        self.args = args            # argv after the binary
        self.stdin = stdin
        self.note = note
        self.edits = edits          # structural mutants: the edit list

    def write(self, directory):
        for name, data in self.files.items():
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)

    def shell_command(self, binary, directory):
        """A one-line command that reruns this case by hand."""
        args = " ".join(_quote(a) for a in self.args)
        line = "cd %s && %s %s" % (directory, binary, args)
        if self.stdin:
            line += " < case.in"
        return line


def _quote(text):
    if text and all(c.isalnum() or c in "._/-+=" for c in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


class BaseImages(object):
    """The parent images, read and parsed once."""

    def __init__(self, paths):
        self.paths = paths          # "own"/"real" -> path or None
        self._data = {}
        self._records = {}
        self._info = {}

    def available(self, which):
        path = self.paths.get(which)
        return bool(path) and os.path.isfile(path)

    def data(self, which):
        if not self.available(which):
            raise SystemExit("case needs the %s image: %s" % (
                which, "set SMALLWORLD_IMAGE or --real-image"
                if which == "real" else "make image, or --own-image"))
        if which not in self._data:
            with open(self.paths[which], "rb") as f:
                self._data[which] = f.read()
        return self._data[which]

    def records(self, which):
        if which not in self._records:
            self._records[which] = imagefile.parse(self.data(which))
            self._info[which] = ImageInfo(self._records[which])
        return self._records[which]

    def info(self, which):
        self.records(which)
        return self._info[which]


def make_case(family, seed, number, bases, big=True):
    kind, which = family.split(".")
    rng = case_rng(family, seed, number)
    cid = case_id(family, seed, number)
    if kind == "image-struct":
        edits, notes = imagemut.structural_mutant(rng, bases.info(which))
        data = imagemut.mutant_bytes(bases.records(which), edits)
        return Case(cid, {"case.image": data},
                    ["case.image", "-e", rng.choice(WORKLOADS)],
                    note="; ".join(notes), edits=edits)
    if kind == "image-raw":
        data, note = imagemut.raw_mutant(rng, bases.data(which))
        return Case(cid, {"case.image": data},
                    ["case.image", "-e", rng.choice(WORKLOADS)], note=note)
    files = {"base.image": bases.data(which)}
    if kind == "st":
        data, note = stgen.hostile_st(rng, big)
        files["case.st"] = data
        return Case(cid, files, ["base.image", "case.st", "-e", "3 + 4"],
                    note=note)
    if kind == "repl":
        data, note = stgen.hostile_repl(rng, big)
        files["case.in"] = data
        return Case(cid, files, ["base.image"], stdin=data, note=note)
    raise ValueError("unknown family %r" % family)


def shrink_case(case, edits, bases):
    """The same case with only `edits` (a subset of its own)."""
    family = case.id.split("/")[0]
    which = family.split(".")[1]
    data = imagemut.mutant_bytes(bases.records(which), edits)
    return Case(case.id + "~min", {"case.image": data}, case.args,
                note="shrunk to %d edit(s)" % len(edits), edits=edits)
