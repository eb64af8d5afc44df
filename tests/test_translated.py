"""The same scenarios against the native binaries (./spy, ./spy-nojit).

Skipped for a binary that has not been built; the scenarios on the real
image also need SMALLWORLD_IMAGE.
"""

import re
import random

from spyvm import watchdog
from spyvm.image_writer import serialize_image
from tests.conftest import st_file
from tests.mini import mini_image

BENCH_LINE = re.compile(r"^\d+ bytecodes/sec; \d+ sends/sec$", re.M)


def test_help(run_binary):
    r = run_binary("--help")
    assert r.status == 0 and "Usage: spy" in r.out


def test_bad_images_never_crash(run_binary, tmp_path):
    data = serialize_image(mini_image().space)
    rnd = random.Random(3)
    cases = [b"", b"not an image at all", data[:len(data) // 3]]
    for _ in range(10):
        flipped = bytearray(data)
        flipped[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
        cases.append(bytes(flipped))
    for data in cases:
        path = tmp_path / "bad.image"
        path.write_bytes(data)
        r = run_binary(str(path), "-e", "1")
        assert r.status in (1, 2), r
        assert "Traceback" not in r.err and "RPython" not in r.err, r
        assert r.err.startswith("spy: ") or "Error" in r.err, r


def test_startup_and_expression(run_binary, real_image):
    r = run_binary(real_image, "-e", "3 + 4")
    assert r.status == 0, r
    assert "(System started)\n" in r.out and r.out.endswith("7\n")


def test_animal_dog(run_binary, real_image):
    r = run_binary(real_image, st_file("animal.st"))
    assert r.out.endswith("Rex says Woof (generic noise)\none\ntwo\n"), r


def test_dnu_backtrace_and_exit_status(run_binary, either_image):
    r = run_binary(either_image, st_file("dnu.st"))
    assert r.status == 1, r
    assert r.err.startswith('100 does not understand "frobnicate"\n'
                            'current[MetaContext,]\n')
    assert r.out.endswith("still running\n")


def test_bounded_inlining_keeps_results_and_errors(run_binary, either_image):
    # 24 benchFib = 2 * fib(25) - 1 sends: enough for the JIT to compile
    # benchFib under the option
    r = run_binary("--bounded-inlining", either_image, "-e", "24 benchFib")
    assert r.status == 0 and r.out.splitlines()[-1] == "150049", r
    r = run_binary("--bounded-inlining", either_image, st_file("dnu.st"))
    assert r.status == 1, r
    assert r.err.startswith('100 does not understand "frobnicate"\n'), r
    assert r.out.endswith("still running\n")


def loop_key_mix(n):
    """SmallInt>>loopKeyMix of tests/fixtures/loopkeys.st, in Python."""
    s = sum(range(1, n + 1))
    s -= sum(i % 7 for i in range(1, n + 1))
    s += sum((i % 3) * 2 for i in range(1, n + 1))
    k = 0
    for j in range(1, 301):
        i = 1
        while i * i <= j * 50:      # firstSquareAbove: leaves its loop by ^
            i += 1
        k += i
    return s + k


def test_loop_keys_keep_results(run_binary, either_image):
    # to:do: with several blocks and a non-local return out of a keyed loop
    expected = "%d\n%d\n" % (loop_key_mix(3000), loop_key_mix(30000))
    for option in ("--stats", "--no-loop-keys"):
        r = run_binary(option, either_image, st_file("loopkeys.st"))
        assert r.status == 0, r
        assert expected in r.out, r


def frame_sieve(n):
    """SmallInt>>frameSieve of tests/fixtures/framearrays.st, in Python."""
    flags = [True] * (n + 1)
    count, probe_is_flags = 0, False
    for i in range(2, n + 1):
        if flags[i]:
            count += 1
            probe_is_flags = count % 2 == 1
            for k in range(2 * i, n + 1, i):
                flags[k] = False
    return count * 100 + (1 if probe_is_flags else 2)


def test_frame_arrays_keep_results(run_binary, either_image):
    # the sieve's blocks keep SmallInts, nil and an Array in their home's
    # temporaries; compiled with and without frame Arrays
    expected = "%d\n%d\n" % (sum(frame_sieve(3000 + r) for r in range(1, 41)),
                              sum(frame_sieve(30000 + r) for r in range(1, 4)))
    for options in ([], ["--no-frame-arrays"]):
        r = run_binary(*(options + [either_image,
                                    st_file("framearrays.st")]))
        assert r.status == 0, r
        assert r.out.endswith(expected), r


def test_redefinition(run_binary, either_image):
    r = run_binary(either_image, st_file("redefine.st"))
    assert r.out.endswith("hello\nbonjour\n"), r


def test_tiny_benchmarks(run_binary, real_image):
    r = run_binary(real_image, st_file("tiny.st"))
    assert r.status == 0, r
    assert BENCH_LINE.search(r.out), r


def test_recursion_100000_deep(run_binary, either_image):
    r = run_binary(either_image, st_file("deep.st"))
    assert r.status == 0, r
    assert r.out.endswith("5000050000\n"), r


def test_unbounded_recursion_is_a_smalltalk_error(run_binary, either_image):
    r = run_binary(either_image, st_file("forever.st"))
    assert r.status == 1, r
    assert "stack overflow" in r.err
    assert "forever[SmallInt,]" in r.err
    assert r.out.endswith("survived\n"), r


def test_the_host_stack_re_exec_gives_deep_recursion(run_binary, own_image):
    # under the usual 8 MB stack limit the binary re-executes itself with a
    # bigger one; with the re-exec already marked done it keeps 8 MB, and
    # the same recursion is a clean Smalltalk error instead
    import os
    deep = st_file("deep.st")
    script = 'ulimit -S -s 8192 && exec "$@"'
    r = run_binary("/bin/sh", "-c", script, "sh", run_binary.path,
                   own_image, deep, via_shell=True)
    assert r.status == 0, r
    assert r.out.endswith("5000050000\n"), r
    r = run_binary("/bin/sh", "-c", script, "sh", run_binary.path,
                   own_image, deep, via_shell=True,
                   env=dict(os.environ, SPY_STACK_REEXEC="1"))
    assert r.status == 1, r
    assert "stack overflow" in r.err and "sumDown[SmallInt,]" in r.err


def test_float_division_by_zero_is_ieee(run_binary, either_image):
    # an internal error (exit 3) before: float('inf') parses a string in
    # RPython
    r = run_binary(either_image, "-e", "1.0 / 0.0", "-e", "0.0 / 0.0",
                   "-e", "1.0 / 0", "-e", "(0.0 - 1.0) / 0.0")
    assert r.status == 0, r
    assert r.out.endswith("Infinity\nNaN\nInfinity\n-Infinity\n"), r


def test_corner_expressions(run_binary, own_image):
    r = run_binary(own_image, "-e", "^ 3", "-e", "1 ] value. [ 2")
    assert (r.status, r.out) == (0, "3\n1\n"), r
    r = run_binary(own_image, "--jit", "trace_limit=2147483648", "-e", "1")
    assert r.status == 2 and r.err.startswith("spy: "), r
    r = run_binary(own_image, "--jit", "enable_opts=unroll", "-e", "1")
    assert r.status == 2 and "enable_opts" in r.err, r


def test_primitive_8_in_a_method_body(run_binary, either_image):
    r = run_binary(either_image, st_file("prim8.st"))
    assert r.status == 0, r
    assert r.out.rstrip("\n").endswith("\n8") or r.out.strip() == "8", r


def test_methods_array_written_in_place(run_binary, either_image):
    # the JIT's traces must see the new method too
    r = run_binary(either_image, st_file("methods_in_place.st"))
    assert r.status == 0, r
    assert r.out.endswith("1\n2\n"), r


def test_recursion_1000000_deep_fits_the_default_ceiling(run_binary,
                                                         own_image):
    r = run_binary("--max-memory", "2G", own_image, st_file("depth.st"),
                   "-e", "1000000 sumDown")
    assert r.status == 0, r
    assert r.out == "500000500000\n", r


def test_runaway_recursion_is_bounded_twice_in_one_session(run_binary,
                                                           own_image):
    # the second runaway recursion used to run in compiled code, where it
    # grows the heap and not the host stack: 5-7 GB, then SIGABRT
    r = run_binary("--max-memory", "1G", own_image,
                   stdin=b"Object compileMethod: 'rec ^ self rec'\n"
                         b"nil rec\nnil rec\n3 + 4\n")
    assert r.status == 1, r
    assert r.out.startswith("true\n"), r
    assert "Error: stack overflow" in r.err or "out of memory" in r.err, r
    assert "rec[Undefined,]" in r.err
    assert "internal error" not in r.err and "RPython" not in r.err, r


def test_runaway_allocating_recursion_ends_with_a_backtrace(run_binary,
                                                            own_image):
    # compiled code checks the watchdog's tick only at backward branches;
    # a recursion without loops that fills the heap is stopped by the tick
    # handler through a forced StackOverflow, caught by the activation
    # (watchdog.py): a Smalltalk error with a backtrace, never a segfault
    r = run_binary("--max-memory", "256M", own_image,
                   stdin=b"Object compileMethod: "
                         b"'hog: n ^ (Array new: 1000) hog: n + 1'\n"
                         b"nil hog: 0\n3 + 4\n")
    assert r.status == 1, r
    assert r.out == "true\n", r
    assert "Error: out of memory" in r.err, r
    assert "hog:" in r.err, r
    assert "internal error" not in r.err and "RPython" not in r.err, r


def test_profile_writes_a_file_the_report_reads(run_binary, tmp_path):
    """spy --profile samples Richards; tools/profile_report.py names its
    methods (the JIT binary runs more work: its iterations are faster)."""
    from tests.test_bench_tools import python3
    from tests.conftest import ROOT
    import os
    import subprocess
    size, iterations = (30, 6) if run_binary.name == "spy" else (1, 3)
    driver = tmp_path / "driver.st"
    driver.write_text(u"EVAL BenchRunner run: BenchRichards iterations: %d "
                      u"size: %d\nEVAL <117 nil>\n" % (iterations, size))
    prof = tmp_path / "richards.prof"
    r = run_binary("--profile", str(prof), os.path.join(ROOT, "bench", "runner.st"),
                   os.path.join(ROOT, "bench", "richards.st"), str(driver))
    assert r.status == 0 and "BENCH-OK richards" in r.out, r
    svg = tmp_path / "richards.svg"
    proc = subprocess.Popen([python3(), os.path.join(ROOT, "tools", "profile_report.py"),
                             str(prof), "--svg", str(svg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    out = out.decode("utf-8")
    assert proc.returncode == 0, err
    assert "BenchRichards>>run:" in out, out
    assert "<svg" in svg.read_text()
    bad = run_binary("--profile", str(tmp_path / "no" / "such.prof"), "-e", "1")
    assert bad.status == 2 and bad.err.startswith("spy: cannot write profile"), bad


def test_max_time_ends_an_endless_loop_with_a_backtrace(run_binary,
                                                        either_image):
    import time
    started = time.time()
    r = run_binary("--max-time", "2", either_image,
                   "-e", "[true] whileTrue: [nil]", "-e", "3 + 4")
    assert r.status == 1, r
    assert 2 <= time.time() - started < 25, r
    assert r.err.startswith("Error: time limit of 2 s reached (--max-time): "
                            "the run ends here\n"), r
    assert "doItCommand[Undefined,]" in r.err, r
    assert not r.out.endswith("7\n"), r    # the run ended there
    r = run_binary("--max-time", "60", either_image, "-e", "3 + 4")
    assert (r.status, r.out.splitlines()[-1]) == (0, "7"), r
    r = run_binary("--max-time", "0", either_image, "-e", "3 + 4")
    assert r.status == 2 and "--max-time" in r.err, r


def test_the_watchdog_ticks_once_per_interval(run_binary, own_image):
    # a tick whose flag was not cleared would be taken at every backward
    # branch: millions in two seconds, and compiled loops would crawl
    r = run_binary("--stats", "--max-time", "2", own_image,
                   "-e", "[true] whileTrue: [nil]")
    assert r.status == 1 and "time limit of 2 s" in r.err, r
    m = re.search(r"watchdog:\n  ticks +(\d+)\n", r.err)
    assert m, r
    expected = 2000 // watchdog.TICK_MS     # unless the machine is busy
    assert expected // 10 <= int(m.group(1)) <= expected * 3, r


JIT_EVENT = re.compile(r"^JIT-EVENT (compile loop|compile bridge|abort) "
                       r"(\d+) (\d+\.\d)$")


def test_jit_events_mark_compiles_in_order_with_the_transcript(
        run_binary, either_image):
    expected = "%d\n" % sum(i % 7 for i in range(100000))
    plain = run_binary(either_image, st_file("jitevents.st"))
    marked = run_binary("--jit-events", "--stats", either_image,
                        st_file("jitevents.st"))
    assert plain.status == 0 and marked.status == 0, (plain, marked)
    assert "JIT-EVENT" not in plain.out
    lines = marked.out.splitlines()
    events = [JIT_EVENT.match(l) for l in lines if l.startswith("JIT-EVENT")]
    assert all(events), marked.out
    # everything but the events is the program's own output
    assert [l for l in lines if not l.startswith("JIT-EVENT")] == \
        plain.out.splitlines()
    assert ("before\n" + expected + "after\n") in plain.out
    if run_binary.name == "spy-nojit":
        assert events == []
        return
    # the loop of sum: is compiled while it runs: between 'before' and
    # its result, and the JIT's time only grows
    start = lines.index("before")
    loops = [i for i, l in enumerate(lines)
             if l.startswith("JIT-EVENT compile loop") and i > start]
    assert loops and loops[0] < lines.index(expected.strip(), start), \
        marked.out
    times = [float(m.group(3)) for m in events]
    assert times == sorted(times) and times[-1] > 0, marked.out
    # --stats reports the same JIT: at least those loops (RPython can
    # compile temporary callbacks without calling the hooks), and at
    # exit its time is the last event's and what the end of that trace took
    stats = dict(l.split()[:2] for l in marked.err.splitlines()
                 if l.startswith("  ") and len(l.split()) >= 2)
    compiled = [m for m in events if m.group(1) == "compile loop"]
    assert int(stats["loops"]) >= len(compiled), marked.err
    assert int(times[-1]) <= int(stats["time_ms"]) <= times[-1] + 1, \
        marked.err


def test_stats_before_the_jit_has_traced_anything(run_binary, either_image):
    # RPython's JIT profiler exists only after the first trace: reading
    # it at once crashed the process (a segfault, exit 139)
    r = run_binary("--stats", either_image, "-e", "3 + 4")
    assert r.status == 0 and r.out.endswith("7\n"), r
    assert "  loops              0\n" in r.err, r
    assert "  time_ms            0 (tracing and machine code)\n" in r.err, r
