"""What the translated JIT compiles, read from PYPYLOG (needs ./spy)."""

import os
import re
import subprocess

import pytest

from tests.conftest import ROOT, binary_path

SPY = binary_path("spy")
needs_spy = pytest.mark.skipif(not os.path.exists(SPY),
                               reason="./spy has not been built (make)")


def jit_log(image, st_text, tmp_path, args=()):
    """Run ./spy [args] on a program and answer its PYPYLOG jit-log-opt."""
    st = str(tmp_path / "prog.st")
    with open(st, "w") as f:
        f.write(st_text)
    log = str(tmp_path / "jit.log")
    env = dict(os.environ, PYPYLOG="jit-log-opt:%s" % log)
    with open(os.devnull, "w") as devnull:
        subprocess.check_call([SPY] + list(args) + [image, st], cwd=ROOT,
                              env=env, stdout=devnull)
    with open(log) as f:
        return f.read()


def compiled_loops(image, st_text, tmp_path):
    """Run ./spy with PYPYLOG and answer {loop name: ops after the last
    label} for every compiled loop."""
    text = jit_log(image, st_text, tmp_path)
    loops = {}
    for body in re.findall(r"\{jit-log-opt-loop\n(.*?)jit-log-opt-loop\}",
                           text, re.S):
        lines = body.splitlines()
        name = re.match(r"# Loop \d+ \((.*)\) : (\w+)", lines[0])
        if not name or name.group(2) != "loop":
            continue
        labels = [i for i, l in enumerate(lines) if ": label(" in l]
        ops = []
        for line in lines[labels[-1]:]:
            m = re.match(r"\+\d+: (?:[ipf]\d+ = )?(\w+)\(", line)
            if m and m.group(1) != "debug_merge_point":
                ops.append(m.group(1))
        loops[name.group(1)] = ops
    return loops


def assert_no_calls_or_allocations(loops, method):
    sieve = [ops for name, ops in loops.items() if method in name]
    assert sieve, "no loop compiled in %s: %s" % (method, list(loops))
    for ops in sieve:
        bad = [op for op in ops if op.startswith("call") or
               op.startswith("new")]
        assert bad == [], bad


@needs_spy
def test_sieve_loop_of_tiny_benchmarks_has_no_calls_or_news(own_image,
                                                            tmp_path):
    loops = compiled_loops(own_image, "EVAL Transcript show: 30 benchmark\n",
                           tmp_path)
    assert_no_calls_or_allocations(loops, "SmallInt>>benchmark")


@needs_spy
def test_sieve_loop_on_the_real_image(real_image, tmp_path):
    loops = compiled_loops(real_image, "EVAL Transcript show: 30 benchmark\n",
                           tmp_path)
    assert_no_calls_or_allocations(loops, "SmallInt>>benchmark")


def trace_lengths(image, st_text, method, tmp_path, args=()):
    """Run ./spy with PYPYLOG and answer, in the order they were compiled,
    the length in operations of every loop and bridge whose first merge
    point is in `method`."""
    text = jit_log(image, st_text, tmp_path, args)
    lengths = []
    for body in re.findall(r"\{jit-log-opt-(?:loop|bridge)\n(.*?)"
                           r"jit-log-opt-(?:loop|bridge)\}", text, re.S):
        ops = re.search(r"with (\d+) ops", body.splitlines()[0])
        first = re.search(r"debug_merge_point\(\d+, \d+, '([^']*)'", body)
        if ops and first and method in first.group(1):
            lengths.append(int(ops.group(1)))
    return lengths


FIB = ("EVAL Transcript show: ((1 to: 5) inject: 0 into: "
       "[:sum :k | sum + 25 benchFib]) printString\n")
GARBAGE = "EVAL 1 to: 3000000 do: [:i | Array new: 10]\n"


@needs_spy
def test_garbage_made_first_leaves_the_traces_alone(own_image, tmp_path):
    # spy's default has no counter decay (docs/architecture.md, "JIT
    # counters"): with RPython's decay=40 the garbage's minor collections
    # decay benchFib's counters and it compiles other bridges; without it
    # the amount allocated before does not matter
    alone = trace_lengths(own_image, FIB, ">>benchFib", tmp_path)
    after = trace_lengths(own_image, GARBAGE + FIB, ">>benchFib", tmp_path)
    assert len(alone) >= 3, alone
    assert after == alone
