"""The record reader/writer and the image mutators."""

import pytest

from tools.fuzz import imagefile, imagemut
from tools.fuzz.imagefile import Record, SMALLINT, BYTES, POINTERS
from tools.fuzz.imageinfo import ImageInfo
from tools.fuzz.seeds import case_rng


def test_roundtrip_is_byte_identical(image_bytes):
    records = imagefile.parse(image_bytes)
    assert imagefile.serialize(records) == image_bytes
    assert len(imagefile.record_offsets(image_bytes)) == len(records)


def test_small_image_by_hand():
    recs = [Record(POINTERS, 1, [0, 2]), Record(SMALLINT, 1, value=-5),
            Record(BYTES, 1, data=b"abc")]
    data = imagefile.serialize(recs)
    assert data[:4] == b"\x00\x00\x00\x01"
    # the byte object's length adds 4 words to 3 bytes (spec 1.4)
    assert data[-3 - 16:-3 - 12] == (7).to_bytes(4, "big")
    assert imagefile.parse(data) == recs


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x02",
                                  b"\x00\x00\x00\x01\x00\x00\x00\x05",
                                  b"\x00\x00\x00\x01" + b"\x00" * 12 +
                                  b"\x7f\xff\xff\xff"])
def test_parse_rejects_broken(data):
    with pytest.raises(imagefile.ImageFormatError):
        imagefile.parse(data)


def test_info_finds_classes_and_methods(image_bytes):
    info = ImageInfo(imagefile.parse(image_bytes))
    for name in ("Object", "SmallInt", "String", "Method", "Class"):
        assert name in info.class_by_name
    assert len(info.methods) > 400
    labels = [info.method_label(m) for m in info.methods]
    assert "SmallInt>>+" in labels or "Integer>>+" in labels


def in_range(records):
    n = len(records)
    return all(0 <= r.cls < n and all(0 <= s < n for s in r.slots)
               for r in records)


def test_structural_mutants_stay_in_range_and_leave_parent(image_bytes):
    records = imagefile.parse(image_bytes)
    before = imagefile.serialize(records)
    info = ImageInfo(records)
    changed = 0
    for n in range(80):
        edits, notes = imagemut.structural_mutant(
            case_rng("image-struct.t", 1, n), info)
        assert edits and len(notes) >= 1
        mutant = imagemut.apply_edits(records, edits)
        assert in_range(mutant)
        data = imagefile.serialize(mutant)
        assert imagefile.parse(data) == mutant
        changed += data != before
    assert imagefile.serialize(records) == before
    assert changed >= 75


def test_mutants_are_reproducible(image_bytes):
    records = imagefile.parse(image_bytes)
    info = ImageInfo(records)
    for n in range(20):
        a = imagemut.structural_mutant(case_rng("f", 3, n), info)
        b = imagemut.structural_mutant(case_rng("f", 3, n), info)
        assert a == b
        assert imagemut.raw_mutant(case_rng("g", 3, n), image_bytes) == \
            imagemut.raw_mutant(case_rng("g", 3, n), image_bytes)


def test_every_structural_op_hits(image_bytes):
    info = ImageInfo(imagefile.parse(image_bytes))
    for op, _ in imagemut.STRUCT_OPS:
        results = [op(case_rng(op.__name__, 0, n), info) for n in range(30)]
        assert any(results), op.__name__


def test_edits_apply():
    recs = [Record(POINTERS, 0, [0, 0]), Record(SMALLINT, 0, value=3)]
    out = imagemut.apply_edits(recs, [("slotint", 0, 1, 2 ** 31 - 1),
                                      ("slotint", 0, 0, 3),
                                      ("int", 1, -1), ("cls", 1, 0),
                                      ("resize", 0, 4)])
    assert out[0].slots == [1, 2, 0, 0]
    assert out[2].value == 2 ** 31 - 1 and out[2].type == SMALLINT
    assert out[1].value == -1 and out[1].cls == 0
    assert recs[0].slots == [0, 0] and recs[1].value == 3


def test_method_size_edit_hits_a_method(image_bytes):
    info = ImageInfo(imagefile.parse(image_bytes))
    edits, note = imagemut.op_method_size(case_rng("m", 0, 0), info)
    (kind, index, slot, value), = edits
    assert kind == "slotint" and index in info.methods and slot in (3, 4)
    assert ">>" in note


def test_raw_mutants_differ(image_bytes):
    kinds = set()
    for n in range(100):
        data, note = imagemut.raw_mutant(case_rng("r", 0, n), image_bytes)
        assert data != image_bytes or "flip" in note
        kinds.add(note.split()[0])
    assert {"bit", "truncated", "word", "version"} <= kinds
