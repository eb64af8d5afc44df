"""The time limit (spyvm/deadline.py, `--max-time`): an endless loop ends
with an error, a backtrace and exit 1; loops that finish are untouched."""

import time

import pytest

from spyvm import deadline
from spyvm.errors import Exit
from tests.mini import *


def test_parse_seconds():
    assert deadline.parse_seconds("30") == 30
    assert deadline.parse_seconds("5s") == 5
    assert deadline.parse_seconds(str(deadline.MAX_SECONDS)) == \
        deadline.MAX_SECONDS
    for bad in ["", "s", "0", "-1", "1.5", "10m", "99999999",
                str(deadline.MAX_SECONDS + 1)]:
        assert deadline.parse_seconds(bad) == -1


def endless_loop():
    # 0: push true; 1: branch-if-false to 5; 3: branch back to 0;
    # 5: push nil; 6: return it
    return assemble(push_true(), branch_if_false(5), branch(0),
                    push_nil(), stack_return())


def test_an_endless_loop_ends_at_the_limit_with_a_backtrace(capfd):
    image = mini_image()
    space = image.space
    image.install("Object", "spin", endless_loop())
    code = assemble(push_self(), mark(1), send(0), stack_return())
    space.config.time_limited = True
    space.deadline.arm(1)
    started = time.time()
    with pytest.raises(Exit) as info:
        image.run(code, ["spin"])
    assert info.value.status == 1
    assert 1.0 <= time.time() - started < 30
    err = capfd.readouterr().err
    assert err.startswith("Error: time limit of 1 s reached (--max-time): "
                          "the run ends here\nspin[Undefined,]\n"), err


def loop_once():
    # t0 is nil, then false: the backward branch at 6 is taken once
    return assemble(push_temp(0), branch_if_false(8), push_false(),
                    assign_temp(0), pop(), branch(0), push_const(1),
                    stack_return())


def test_without_the_switch_the_deadline_is_not_read(capfd):
    image = mini_image()
    space = image.space
    space.deadline.arm(1)
    space.deadline.host_deadline = time.time() - 1
    assert space.deadline.passed()
    w_result = image.run(loop_once(), temps=1)
    assert space.unwrap_int(w_result) == 1
    space.config.time_limited = True
    with pytest.raises(Exit):
        image.run(loop_once(), temps=1)
    assert "Error: time limit of 1 s" in capfd.readouterr().err
