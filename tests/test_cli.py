"""The command line on bad input: one clear line, a non-zero exit."""

import struct

import pytest

from spyvm.image_writer import serialize_image
from tests.mini import mini_image


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_help(run_untranslated):
    r = run_untranslated("--help")
    assert r.status == 0
    assert "Usage: spy" in r.out and "--pic-size" in r.out


def test_unknown_option(run_untranslated):
    r = run_untranslated("--frobnicate")
    assert r.status == 2
    assert r.err == "spy: unknown option '--frobnicate' (try --help)\n"


def test_option_needs_an_argument(run_untranslated):
    r = run_untranslated("-e")
    assert r.status == 2 and "-e needs an argument" in r.err


def test_bad_pic_size(run_untranslated):
    r = run_untranslated("--pic-size", "zero", "x.image")
    assert r.status == 2 and "--pic-size needs a number" in r.err


def test_bad_short_loop(run_untranslated):
    for value in ("many", "-1", "65"):
        r = run_untranslated("--short-loop", value, "x.image")
        assert r.status == 2
        assert "--short-loop needs a number between 0 and 64" in r.err


def test_short_loop_reaches_the_config():
    from spyvm.main import parse_args
    from spyvm.objspace import DEFAULT_SHORT_LOOP
    assert parse_args(["spy", "x.image"]).short_loop == DEFAULT_SHORT_LOOP
    assert parse_args(["spy", "--short-loop", "0", "x.image"]).short_loop == 0


def test_bad_hot_classes(run_untranslated):
    for value in ("all", "-1", "9"):
        r = run_untranslated("--hot-classes", value, "x.image")
        assert r.status == 2
        assert "--hot-classes needs a number between 0 and 8" in r.err


def test_trace_limit_beyond_the_bound_is_refused(run_untranslated):
    from spyvm.main import trace_limit_of
    assert trace_limit_of("threshold=5, trace_limit = 20000") == 20000
    assert trace_limit_of("threshold=5") == 0
    r = run_untranslated("--jit", "threshold=500,trace_limit=70000",
                         "x.image")
    assert r.status == 2
    assert r.err.startswith("spy: trace_limit above 64000 is not supported")


def test_trace_limit_past_sixteen_bits_is_accepted(run_untranslated):
    # RPython's set_user_param refuses trace_limit above 2**14 whatever
    # the trace encoding; spy sets it with set_param (main.set_jit_params)
    r = run_untranslated("--jit", "threshold=500,trace_limit=24000",
                         "x.image")
    # past the parameters, to the image
    assert r.err == "spy: cannot open image 'x.image': No such file or " \
                    "directory\n"
    assert r.status == 2


@pytest.mark.parametrize("params, message", [
    ("trace_limit=2147483648", "trace_limit needs an integer of at most 9"),
    ("threshold=99999999999999999999", "threshold needs an integer"),
    ("threshold=ten", "threshold needs an integer"),
    ("enable_opts=", "enable_opts= is not supported"),
    ("enable_opts=intbounds", "enable_opts=intbounds is not supported"),
    ("enable_opts=unroll", "enable_opts=unroll is not supported"),
    ("enable_opts=virtualize:string", "is not supported"),
    ("threshold", "bad --jit parameter 'threshold'"),
])
def test_jit_parameters_that_cannot_work_are_refused(run_untranslated,
                                                    params, message):
    r = run_untranslated("--jit", params, "x.image")
    assert r.status == 2
    assert r.err.startswith("spy: ") and message in r.err
    assert r.err.count("\n") == 1


def test_jit_help_says_what_enable_opts_accepts(run_untranslated):
    r = run_untranslated("--jit", "help")
    assert r.status == 0
    assert "enable_opts is accepted only as 'all'" in r.out
    from spyvm.main import check_jit_params
    assert check_jit_params("enable_opts=all,threshold=-1") == ""
    assert check_jit_params("off") == ""


def test_missing_image(run_untranslated, tmp_path):
    r = run_untranslated(str(tmp_path / "nope.image"))
    assert r.status == 2
    assert r.err.startswith("spy: cannot open image")
    assert r.err.count("\n") == 1


def test_missing_st_file(run_untranslated, tmp_path):
    image = write(tmp_path, "a.image", serialize_image(mini_image().space))
    r = run_untranslated(image, str(tmp_path / "missing.st"))
    assert r.status == 2
    assert "cannot read file" in r.err


@pytest.mark.parametrize("data,message", [
    (b"", "image file is empty"),
    (b"hello world, not an image", "not a SmallWorld image"),
    (struct.pack(">i", 7) + b"\0" * 40, "version word is 7"),
])
def test_not_an_image(run_untranslated, tmp_path, data, message):
    r = run_untranslated(write(tmp_path, "bad.image", data))
    assert r.status == 2
    assert message in r.err
    assert r.err.startswith("spy: ") and r.err.count("\n") == 1


def test_truncated_image(run_untranslated, tmp_path):
    data = serialize_image(mini_image().space)
    r = run_untranslated(write(tmp_path, "t.image", data[:len(data) // 2 + 1]))
    assert r.status == 2
    assert "spy: " in r.err and "truncated" in r.err


def test_image_without_doit_is_a_clear_error(run_untranslated, tmp_path):
    data = serialize_image(mini_image().space)
    r = run_untranslated(write(tmp_path, "m.image", data), "-e", "1")
    assert r.status == 2
    assert r.err == "spy: the image has no String>>doIt: cannot boot it\n"


def test_recursion_aborts_reach_the_options():
    from spyvm.main import parse_args
    from spyvm.inlining import DEFAULT_RECURSION_ABORTS
    assert parse_args(["spy", "x.image"]).recursion_aborts == \
        DEFAULT_RECURSION_ABORTS
    assert parse_args(["spy", "--recursion-aborts", "0",
                       "x.image"]).recursion_aborts == 0


def test_bad_recursion_aborts(run_untranslated):
    for value in ["-1", "x", "1001"]:
        r = run_untranslated("--recursion-aborts", value, "x.image")
        assert r.status == 2
        assert "--recursion-aborts needs a number between 0 and 1000" in r.err


def test_unrolling_options_reach_the_trace_state():
    from spyvm import inlining
    from spyvm.main import parse_args
    opts = parse_args(["spy", "x.image"])
    assert opts.unroll_share == inlining.DEFAULT_UNROLL_SHARE
    assert opts.unroll_small == inlining.DEFAULT_UNROLL_SMALL
    opts = parse_args(["spy", "--unroll-cap", "50", "--unroll-small", "120",
                       "x.image"])
    assert (opts.unroll_share, opts.unroll_small) == (50, 120)
    saved = (inlining.TRACE.unroll_share, inlining.TRACE.unroll_small)
    try:
        inlining.set_unrolling(50, 120, 12000)
        assert inlining.TRACE.unroll_cap == 6000
        assert inlining.TRACE.unroll_small == 120
        # a later --jit trace_limit keeps the share
        inlining.set_trace_limit(8000)
        assert inlining.TRACE.unroll_cap == 4000
    finally:
        inlining.set_unrolling(saved[0], saved[1], 12000)


def test_bad_unrolling_options(run_untranslated):
    for option, top in [("--unroll-cap", 100), ("--unroll-small", 1000)]:
        for value in ["-1", "x", str(top + 1)]:
            r = run_untranslated(option, value, "x.image")
            assert r.status == 2
            assert "%s needs a number between 0 and %d" % (option, top) \
                in r.err


def test_no_frame_arrays_is_parsed_and_documented(run_untranslated):
    from spyvm.main import parse_args
    assert parse_args(["spy", "x.image"]).no_frame_arrays is False
    assert parse_args(["spy", "--no-frame-arrays",
                       "x.image"]).no_frame_arrays is True
    assert "--no-frame-arrays" in run_untranslated("--help").out
