"""RPython translation target for spy.  The command line is spyvm/main.py.

Untranslated:  python targetsmalltalk.py [IMAGE] [FILE.st ...]
"""

import sys

from spyvm.main import entry_point
from spyvm.hoststack import WANTED_STACK
from spyvm import gcdefaults


def target(driver, args):
    driver.exe_name = "spy"
    # Sends recurse on the host stack; RPython's GC keeps its roots on a
    # separate "shadow stack" of fixed size that is never checked.  Make it
    # as large as the C stack spy asks for (it is only reserved, not
    # touched), so the C stack check always fires first.
    from rpython.memory.gctransform import shadowstack
    shadowstack.ShadowStackPool.root_stack_depth = WANTED_STACK // 8
    gcdefaults.install()
    # the default trace encoding numbers a trace's operations in 16 bits;
    # spy's trace_limit may go past that (spyvm/main.py, MAX_TRACE_LIMIT)
    driver.config.translation.jit_opencoder_model = 'big'
    # spy-nojit has no traces to choose: its interpreter counts no branches
    from spyvm import branchbias
    branchbias.PROFILE = bool(driver.config.translation.jit)
    return entry_point, None


def jitpolicy(driver):
    from rpython.jit.codewriter.policy import JitPolicy
    from spyvm.jitevents import EVENTS
    return JitPolicy(EVENTS)


if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    sys.exit(entry_point(sys.argv))
