"""A host stack big enough for deep Smalltalk recursion.

Sends recurse on the host stack, so the default 8 MB limit would stop a
recursion long before 100,000 levels.  At start-up the translated VM raises
its stack limit and re-executes itself once (the main thread's stack size
is fixed at exec time), then tells RPython's stack check how much it has,
so running out becomes a Smalltalk-level error instead of a segfault.
"""

import os

from rpython.rtyper.lltypesystem import rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo
from rpython.rlib import rstack

from spyvm.hostio import read_small_file

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
        set_usable(limit - 16 * 1024 * 1024)


class StackState(object):
    """Bytes of host stack RPython's stack check allows (an instance
    field: a prebuilt list's item was constant-folded by the translator)."""
    _attrs_ = ['usable']

    def __init__(self):
        self.usable = 0

STATE = StackState()


def set_usable(nbytes):
    STATE.usable = nbytes
    if nbytes > RPY_MAX_STACK:
        rstack._stack_set_length_fraction(nbytes / float(RPY_MAX_STACK))


def limit_stack(nbytes):
    """Let recursion use at most nbytes of host stack (memory.py)."""
    if STATE.usable > nbytes:
        set_usable(nbytes)


def restore_pypylog():
    """RPython's debug log unsets PYPYLOG at start-up so that children do not
    log; the re-executed VM is no child, so hand the setting on.  The
    process's original environment is still in /proc/self/environ."""
    text = read_small_file("/proc/self/environ")
    for entry in text.split("\x00"):
        if entry.startswith("PYPYLOG="):
            os.environ["PYPYLOG"] = entry[len("PYPYLOG="):]
