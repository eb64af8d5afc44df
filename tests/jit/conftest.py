"""SPY_TRACE_PART=k/n keeps every n-th test of the collection, from the
k-th: `make test` runs the trace tests as two such parts side by side
(Makefile), each with its own shared translation (jitworld.py)."""

import os


def pytest_collection_modifyitems(config, items):
    part = os.environ.get("SPY_TRACE_PART")
    if not part:
        return
    k, n = [int(x) for x in part.split("/")]
    assert 0 <= k < n, "SPY_TRACE_PART must be k/n with 0 <= k < n"
    kept = [item for i, item in enumerate(items) if i % n == k]
    deselected = [item for i, item in enumerate(items) if i % n != k]
    config.hook.pytest_deselected(items=deselected)
    items[:] = kept
