"""The memory ceiling (spyvm/memory.py): sizes, the default, and large
allocations that would pass it (a Smalltalk error with a backtrace)."""

import pytest

from spyvm import memory
from spyvm.model import W_SmallInt
from tests.mini import *


def test_parse_size():
    assert memory.parse_size("512M") == 512 * memory.MB
    assert memory.parse_size("2g") == 2 * memory.GB
    assert memory.parse_size("100000K") == 100000 * 1024
    assert memory.parse_size("4096") == 4096
    for bad in ["", "M", "1.5G", "-1G", "12T", "9" * 13]:
        assert memory.parse_size(bad) == -1


def test_default_ceiling_is_at_most_2_gb_and_half_the_ram():
    total = memory.read_meminfo_total()
    assert total > 0
    assert memory.default_ceiling() == min(2 * memory.GB, total // 2)


def test_resident_size_is_read():
    assert memory.resident_bytes() > memory.MB


def test_small_allocations_are_not_checked():
    limit = memory.MemoryLimit(1)
    limit.check_allocation(memory.LARGE_ALLOCATION - 1, "x")
    with pytest.raises(memory.OutOfMemory):
        limit.check_allocation(memory.LARGE_ALLOCATION, "x")


@pytest.mark.parametrize("number, size", [(7, 2 ** 31 - 1), (20, 2 ** 40),
                                          (7, 10 ** 8)])
def test_a_huge_new_is_out_of_memory_with_a_backtrace(capfd, number, size):
    image = mini_image()
    space = image.space
    space.memory.max_bytes = 256 * memory.MB
    image.install("Object", "huge", assemble(
        push_lit(0), push_lit(1), prim(2, number), stack_return()),
        [image.cls("Array"), W_SmallInt(size)])
    code = assemble(push_self(), mark(1), send(0), stack_return())
    assert image.run(code, ["huge"]) is space.w_nil
    err = capfd.readouterr().err
    assert err.startswith("Error: out of memory: new: %d" % size)
    assert "the limit is 256 MB (--max-memory)" in err
    assert "huge[Undefined,]\ntest[Undefined,]\n" in err
    assert image.interp.error_count == 1


def test_growing_past_the_ceiling_is_out_of_memory(capfd):
    image = mini_image()
    space = image.space
    space.memory.max_bytes = 64 * memory.MB
    w_big = space.new_array(5 * memory.MB)
    image.install("Object", "grow:", assemble(
        push_arg(1), push_self(), prim(2, 32), stack_return()))
    code = assemble(push_lit(1), push_lit(2), mark(2), send(0),
                    stack_return())
    assert image.run(code, ["grow:", w_big, space.w_nil]) is space.w_nil
    assert "out of memory: a grown object" in capfd.readouterr().err
    assert w_big.size() == 5 * memory.MB


def test_max_memory_option(run_untranslated):
    for bad in ["lots", "1M", "0"]:
        r = run_untranslated("--max-memory", bad, "x.image")
        assert r.status == 2
        assert r.err.startswith("spy: --max-memory needs a size of at least")
    r = run_untranslated("--help")
    assert "--max-memory SIZE" in r.out


def test_a_memory_error_from_the_gc_is_reported_and_ends_the_run(capfd):
    # the GC's heap cap raises MemoryError (here: a primitive that hits
    # it); the error is reported with a backtrace, then the run ends (the
    # GC would abort at its cap a second time)
    from spyvm import primitives
    from spyvm.errors import Exit
    image = mini_image()
    space = image.space
    space.memory.heap_cap = 600 * memory.MB
    space.memory.max_bytes = 1000 * memory.MB
    def exhausted(interp, args_w):
        raise MemoryError
    assert primitives.TABLE[99] is None
    primitives.TABLE[99] = exhausted
    image.install("Object", "hungry", assemble(prim(0, 99), stack_return()))
    code = assemble(push_self(), mark(1), send(0), stack_return())
    try:
        with pytest.raises(Exit) as info:
            image.run(code, ["hungry"])
    finally:
        primitives.TABLE[99] = None
    assert info.value.status == 1
    err = capfd.readouterr().err
    assert err.startswith("Error: out of memory: the heap reached 600 MB "
                          "(--max-memory 1000 MB)\nhungry[Undefined,]\n")
    assert err.endswith("spy: out of memory: the run ends here\n")
    assert space.memory.exhausted
