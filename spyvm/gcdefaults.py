"""The GC nursery size spy uses unless PYPY_GC_NURSERY says otherwise.

RPython's incminimark GC sizes its nursery from the "cache size" line of
/proc/cpuinfo.  Machines that report a large last-level cache there (480 MiB
on ours) get a nursery of hundreds of MB: every allocation then streams
through memory that no cache holds, and a process that allocates contexts
(recursion, megamorphic sends) runs several times slower with a 250 MB RSS.
spy fixes the default instead; the measurements behind the value are in
docs/gc.md.  A user's PYPY_GC_NURSERY is read first and still wins.
"""

DEFAULT_NURSERY = 2 * 1024 * 1024


def default_nursery_size():
    return DEFAULT_NURSERY


def install():
    """Called at translation time, before the GC is annotated: incminimark
    asks env.estimate_best_nursery_size() only when PYPY_GC_NURSERY is unset."""
    from rpython.memory.gc import env
    env.estimate_best_nursery_size = default_nursery_size
