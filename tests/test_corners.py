"""Corners of the command line and the boot protocol on the default image
(untranslated): expressions that bypass the printString wrapper, exit
statuses after errors."""

import pytest


def test_a_non_local_return_bypassing_the_wrapper_still_prints(
        run_untranslated, own_image):
    r = run_untranslated(own_image, "-e", "^ 3", "-e", "1 ] value. [ 2",
                         "-e", "^ nil")
    assert r.status == 0, r
    assert r.out.splitlines() == ["3", "1", "nil"]


def test_repl_exits_1_after_an_error(run_untranslated, own_image, monkeypatch):
    import os
    read, write = os.pipe()
    os.write(write, b"3 zork\n3 + 4\n")
    os.close(write)
    saved = os.dup(0)
    os.dup2(read, 0)
    try:
        r = run_untranslated(own_image)
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(read)
    assert r.status == 1, r
    assert r.out.splitlines() == ["7"]
    assert '3 does not understand "zork"' in r.err


def test_quit_after_an_error_exits_1(run_untranslated, own_image):
    r = run_untranslated(own_image, "-e", "3 zork", "-e", "SmallWorld quit",
                         "-e", "4")
    assert r.status == 1, r
    assert r.out == ""
    r = run_untranslated(own_image, "-e", "SmallWorld quit", "-e", "4")
    assert r.status == 0, r
    assert r.out == ""


@pytest.mark.parametrize("expr, out", [("1.0 / 0.0", "Infinity"),
                                       ("0.0 / 0.0", "NaN"),
                                       ("1.0 / 0", "Infinity"),
                                       ("-1.0 / 0.0", "-Infinity")])
def test_float_division_by_zero_answers_the_ieee_value(run_untranslated,
                                                        own_image, expr, out):
    r = run_untranslated(own_image, "-e", expr)
    assert (r.status, r.out) == (0, out + "\n"), r


def test_writing_a_method_into_the_methods_array_in_place(run_untranslated,
                                                          own_image):
    from tests.conftest import st_file
    r = run_untranslated(own_image, st_file("methods_in_place.st"))
    assert r.status == 0, r
    assert r.out == "1\n2\n"


def test_allocations_past_the_memory_ceiling_are_smalltalk_errors(
        run_untranslated, own_image):
    r = run_untranslated(own_image, "--max-memory", "300M",
                         "-e", "(Array new: 100000000) size",
                         "-e", "(String new: 1000000000) size", "-e", "3 + 4")
    assert r.status == 1, r
    assert r.out == "7\n"
    assert ("Error: out of memory: new: 100000000 needs 1525 MB, the limit "
            "is 300 MB (--max-memory)\nnew:[MetaArray,SmallInt,]\n") in r.err
    assert "Error: out of memory: new: 1000000000 bytes" in r.err


def test_saving_onto_a_device_is_a_smalltalk_error(run_untranslated,
                                                   own_image):
    r = run_untranslated(own_image, "-e", "File exportImage: '/dev/null'",
                         "-e", "3 + 4")
    assert r.status == 1, r
    assert r.out == "7\n"
    assert ("primitive 29 failed: cannot save image to '/dev/null': not a "
            "regular file\n") in r.err
    assert "exportImage:[MetaFile,String,]" in r.err


def test_primitive_8_in_a_method_body_answers_the_blocks_value(
        run_untranslated, either_image):
    from tests.conftest import st_file
    r = run_untranslated(either_image, st_file("prim8.st"))
    assert r.status == 0, r
    assert r.out.rstrip("\n").endswith("\n8") or r.out.strip() == "8", r
