"""A host stack big enough for deep Smalltalk recursion.

Sends recurse on the host stack, so the default 8 MB limit would stop a
recursion long before 100,000 levels.  At start-up the translated VM raises
its stack limit and re-executes itself once (the main thread's stack size
is fixed at exec time), then tells RPython's stack check how much it has,
so running out becomes a Smalltalk-level error instead of a segfault.
"""

import os

from rpython.rtyper.lltypesystem import lltype, rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo
from rpython.rlib import rstack

WANTED_STACK = 512 * 1024 * 1024        # address space, not memory
REEXEC_FLAG = "SPY_STACK_REEXEC"
RPY_MAX_STACK = 3 << 18                 # RPython's default check (768 kB)

eci = ExternalCompilationInfo(
    post_include_bits=["""
#include <sys/resource.h>
static long spy_get_stack_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) != 0) return -1;
    if (rl.rlim_cur == RLIM_INFINITY) return -2;
    return (long)rl.rlim_cur;
}
static long spy_raise_stack_limit(long wanted) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) != 0) return -1;
    if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < wanted)
        wanted = (long)rl.rlim_max;
    rl.rlim_cur = wanted;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) return -1;
    return wanted;
}
"""])

get_stack_limit = rffi.llexternal('spy_get_stack_limit', [], rffi.LONG,
                                  compilation_info=eci, _nowrapper=True)
raise_stack_limit = rffi.llexternal('spy_raise_stack_limit', [rffi.LONG],
                                    rffi.LONG, compilation_info=eci,
                                    _nowrapper=True)


def ensure_big_stack(argv):
    limit = get_stack_limit()
    if limit >= 0 and limit < WANTED_STACK and os.environ.get(REEXEC_FLAG) is None:
        if raise_stack_limit(WANTED_STACK) > limit:
            os.environ[REEXEC_FLAG] = "1"
            restore_pypylog()
            try:
                os.execv("/proc/self/exe", argv)
            except OSError:
                pass        # carry on with the stack we have
        limit = get_stack_limit()
    if limit == -2:
        limit = WANTED_STACK
    if limit > 0:
        # leave a margin for the C code and signal handling below the check
        USABLE[0] = limit - 16 * 1024 * 1024
        set_usable(USABLE[0])


USABLE = [0]    # bytes of host stack RPython's stack check allows


def set_usable(nbytes):
    if nbytes > RPY_MAX_STACK:
        rstack._stack_set_length_fraction(nbytes / float(RPY_MAX_STACK))


def limit_stack(nbytes):
    """Let recursion use at most nbytes of host stack (memory.py)."""
    if USABLE[0] > nbytes:
        USABLE[0] = nbytes
        set_usable(nbytes)


def restore_pypylog():
    """RPython's debug log unsets PYPYLOG at start-up so that children do not
    log; the re-executed VM is no child, so hand the setting on.  The
    process's original environment is still in /proc/self/environ."""
    try:
        fd = os.open("/proc/self/environ", os.O_RDONLY, 0)
    except OSError:
        return
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        pass
    os.close(fd)
    for entry in "".join(chunks).split("\x00"):
        if entry.startswith("PYPYLOG="):
            os.environ["PYPYLOG"] = entry[len("PYPYLOG="):]
