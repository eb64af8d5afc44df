"""RPython translation target for spy.  The command line is spyvm/main.py.

Untranslated:  python targetsmalltalk.py [IMAGE] [FILE.st ...]
"""

import sys

from spyvm.main import entry_point


def target(driver, args):
    driver.exe_name = "spy"
    return entry_point, None


def jitpolicy(driver):
    from rpython.jit.codewriter.policy import JitPolicy
    return JitPolicy()


if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    sys.exit(entry_point(sys.argv))
