"""spyvm/hostio.py: the line reader of primitive 44 and the REPL."""

import os

from spyvm import hostio
from spyvm.hostio import LineBuffer


def read_all(tmp_path, data):
    path = str(tmp_path / "in.txt")
    with open(path, "wb") as f:
        f.write(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        reader = LineBuffer(fd)
        result = []
        while True:
            line = reader.next_line()
            if line is None:
                return result
            result.append(line)
    finally:
        os.close(fd)


def test_line_ends(tmp_path):
    assert read_all(tmp_path, b"one\ntwo\r\nthree\rfour") == \
        ["one", "two", "three", "four"]
    assert read_all(tmp_path, b"a\r") == ["a"]
    assert read_all(tmp_path, b"a\r\r\n") == ["a", ""]
    assert read_all(tmp_path, b"") == []
    assert read_all(tmp_path, b"\n\n") == ["", ""]


def test_line_ends_across_chunk_boundaries(tmp_path):
    n = hostio.CHUNK
    # a \r\n split between two reads is one line end
    data = b"x" * (n - 1) + b"\r\nnext\n"
    assert read_all(tmp_path, data) == ["x" * (n - 1), "next"]
    data = b"x" * (n - 1) + b"\rnext"
    assert read_all(tmp_path, data) == ["x" * (n - 1), "next"]


def test_many_short_lines_and_one_long_line(tmp_path):
    # the fuzz case: 10 MB of empty lines (here 256 kB), then a chunk
    data = b"\n" * (1 << 18) + b"EVAL Transcript show: 'after'\n"
    got = read_all(tmp_path, data)
    assert len(got) == (1 << 18) + 1
    assert got[-1] == "EVAL Transcript show: 'after'"
    long_line = b"y" * (5 * hostio.CHUNK + 17)
    assert read_all(tmp_path, long_line + b"\nz") == [long_line, "z"]
