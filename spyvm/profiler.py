"""`spy --profile FILE`: sampling profiles of Smalltalk methods (vmprof).

RPython's rvmprof samples a stack of "code objects" kept beside the host
stack; ours are CompiledCode objects, named `Class>>selector`.  The stack
entry is pushed by the `activation` decorator around the interpreter's
activation function, only while the profiler is on: the flag is
quasi-immutable, so when it is off the interpreter pays one global read per
activation and JIT traces pay nothing.  In JIT-compiled code rvmprof finds
the (inlined) methods through the JIT's code map (`jitdriver_unique_id`).

The file is in vmprof's format; tools/profile_report.py reads it.
"""

import os

from rpython.rlib import rvmprof

from spyvm.code import CompiledCode

# seconds between samples (vmprof's own default, about 1 kHz)
INTERVAL = 0.001
NAME_PREFIX = "st:"
NAME_SUFFIX = ":0:spy"


def code_name(code):
    """vmprof wants 'kind:name:line:file' with exactly three colons, so the
    colons of keyword selectors are written as ';' (no selector has one)."""
    from spyvm.interpreter import code_location
    name = code_location(code).replace(":", ";")
    if len(name) > rvmprof.MAX_FUNC_NAME - 16:
        name = name[:rvmprof.MAX_FUNC_NAME - 16]
    return NAME_PREFIX + name + NAME_SUFFIX


rvmprof.register_code_object_class(CompiledCode, code_name)


class ProfilerState(object):
    _attrs_ = ['on', 'fd']
    _immutable_fields_ = ['on?']

    def __init__(self):
        self.on = False
        self.fd = -1


state = ProfilerState()


def _code_of(interp, ctx):
    return ctx.code


def activation(func):
    """Decorator for `func(interp, ctx)`, the function that runs one
    activation: while profiling, ctx's method is on vmprof's stack."""
    profiled = rvmprof.vmprof_execute_code("spy_activation", _code_of)(func)

    def activate(interp, ctx):
        if state.on:
            code = ctx.code
            assert code is not None
            if code._vmprof_unique_id == 0:
                rvmprof.register_code(code, code_name)
            return profiled(interp, ctx)
        return func(interp, ctx)
    activate.__name__ = func.__name__ + "_maybe_profiled"
    return activate


def jitdriver_unique_id(pc, code):
    """get_unique_id for the jitdriver: names JIT code in profiles."""
    return rvmprof.get_unique_id(code)


def start(path):
    """Start sampling into `path`; answer an error message or ""."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0644)
    except OSError:
        return "cannot write profile '%s'" % path
    try:
        rvmprof.enable(fd, INTERVAL)
    except rvmprof.VMProfError as e:
        os.close(fd)
        return "cannot start the profiler: %s" % e.msg
    state.fd = fd
    state.on = True
    return ""


def stop():
    """Stop sampling and close the file (no-op when not profiling)."""
    if not state.on:
        return
    state.on = False
    try:
        rvmprof.disable()
    except rvmprof.VMProfError:
        pass
    os.close(state.fd)
    state.fd = -1
