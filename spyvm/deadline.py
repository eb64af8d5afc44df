"""The time limit (`--max-time SECONDS`): a program that runs too long ends
with an error, a Smalltalk backtrace of where it was and exit 1, instead of
being killed from outside without a word.

SIGALRM (wall clock, `alarm(2)`) sets RPython's signal flag, the same word
PyPy polls for its own signal handling; the interpreter reads it at backward
branches and activations, where programs spend their time.  In a trace that
is one raw read and one guard per loop iteration or residual call, and
nothing at all when no limit is set, because the switch is a
quasi-immutable Config field.
"""

import time

from rpython.rlib import rsignal
from rpython.rlib.objectmodel import we_are_translated

from spyvm.errors import VMError

MAX_SECONDS = 1000000       # about 11 days; alarm(2) takes an unsigned int
SIGALRM = 14


class TimeLimitReached(VMError):
    """The run has used up its --max-time; it ends after the report."""


class Deadline(object):
    _attrs_ = ['seconds', 'host_deadline']

    def __init__(self):
        self.seconds = 0            # 0: no limit
        self.host_deadline = 0.0    # untranslated runs only

    def arm(self, seconds):
        """Start the clock: the limit is reached `seconds` from now."""
        assert 0 < seconds <= MAX_SECONDS
        self.seconds = seconds
        if we_are_translated():
            rsignal.pypysig_setflag(SIGALRM)
            rsignal.c_alarm(seconds)
        else:
            self.host_deadline = time.time() + seconds

    def passed(self):
        if self.seconds == 0:
            return False
        if we_are_translated():
            return signal_flag_set()
        return time.time() >= self.host_deadline

    def message(self):
        return ("time limit of %d s reached (--max-time): the run ends here"
                % self.seconds)


def signal_flag_set():
    # the word is negative once a flagged signal (only SIGALRM here) came
    return rsignal.pypysig_getaddr_occurred().c_value < 0


def parse_seconds(text):
    """Whole seconds for `30` or `30s`; -1 if the text is not that."""
    if text.endswith("s"):
        end = len(text) - 1
        assert end >= 0
        text = text[:end]
    if not text.isdigit() or len(text) > 7:
        return -1
    seconds = int(text)
    if seconds < 1 or seconds > MAX_SECONDS:
        return -1
    return seconds

