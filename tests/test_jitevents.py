"""--jit-events: the line format and the option (the hook itself runs only
in the translated binary: tests/test_translated.py)."""

from spyvm import jitevents
from spyvm.main import parse_args


def test_event_lines_carry_kind_size_and_time_in_tenths_of_ms():
    assert jitevents.event_line("compile loop", 1306, 14.27) == \
        "JIT-EVENT compile loop 1306 14.2\n"
    assert jitevents.event_line("abort", 3, 0.05) == "JIT-EVENT abort 3 0.0\n"
    assert jitevents.event_line("compile bridge", 88, 120.96) == \
        "JIT-EVENT compile bridge 88 120.9\n"


class FakeDebugInfo(object):
    operations = [1, 2, 3]


def test_the_hook_is_silent_unless_enabled(capfd):
    assert not jitevents.STATE.events
    events = jitevents.JitEvents()
    events.after_compile(FakeDebugInfo())
    events.after_compile_bridge(FakeDebugInfo())
    events.on_abort(3, None, None, "", None, [])
    assert capfd.readouterr().out == ""


def test_untranslated_runs_take_the_option(run_untranslated, own_image):
    # no JIT runs untranslated: no events, and the option is accepted
    r = run_untranslated("--jit-events", own_image, "-e", "3 + 4")
    assert r.status == 0 and r.out.endswith("7\n") and "JIT-EVENT" not in r.out
    jitevents.enable_events(False)


def test_the_option_enables_the_events():
    assert parse_args(["spy", "--jit-events", "x.image"]).jit_events
    assert not parse_args(["spy", "x.image"]).jit_events
