"""The hostile .st and REPL generators."""

from tools.fuzz import stgen
from tools.fuzz.seeds import case_rng


def generate(kind, n, big=True):
    gen = stgen.hostile_st if kind == "st" else stgen.hostile_repl
    return [gen(case_rng(kind, 1, i), big) for i in range(n)]


def test_reproducible():
    assert generate("st", 30) == generate("st", 30)
    assert generate("repl", 30) == generate("repl", 30)


def test_never_saves_or_exits():
    cases = generate("st", 40) + generate("repl", 40) + \
        generate("st", 300, big=False) + generate("repl", 300, big=False)
    for data, note in cases:
        for word in stgen.NEVER:
            assert word not in data, (word, note)


def test_kinds_cover_the_brief():
    notes = " | ".join(note for _, note in generate("st", 150))
    for what in ("damaged body", "damaged expression", "unknown class",
                 "chunk ended by", "crlf line ends", "binary garbage",
                 "long line", "10 MB file", "random sends"):
        assert what in notes, what


def test_sizes():
    for kind in (stgen.st_big_file, stgen.st_long_line):
        for i in range(10):
            data, note = kind(case_rng("size", 0, i))
            if kind is stgen.st_big_file:
                assert len(data) >= 10 * stgen.MB, note
            else:
                longest = max(len(l) for l in data.split(b"\n"))
                assert "%d bytes" % longest in note or "1 MB" in note, note
                assert longest >= 1000


def test_line_ends():
    seen = set()
    for n in range(40):
        data, note = stgen.st_line_ends(case_rng("ends", 0, n))
        seen.add(note.split()[3])
        if "crlf" in note:
            assert data.count(b"\r\n") == data.count(b"\n")
    assert {"crlf", "cr", "mixed"} <= seen


def test_small_mode_leaves_out_big_inputs():
    for data, note in generate("st", 200, big=False) + \
            generate("repl", 200, big=False):
        assert len(data) < 200 * 1024, note


def test_random_exprs_parse_shape():
    rng = case_rng("expr", 0, 0)
    for _ in range(200):
        e = stgen.random_expr(rng)
        assert e.count("(") == e.count(")")
