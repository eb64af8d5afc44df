"""`spy --profile FILE`: sampling profiles of Smalltalk methods (vmprof).

RPython's rvmprof samples a stack of "code objects" kept beside the host
stack; ours are CompiledCode objects, named `Class>>selector`.  The stack
entry is pushed by the `activation` decorator around the interpreter's
activation function, only while the profiler is on (`profiling`): when it
is off the interpreter pays one global read per activation, and traces,
which read the command line's switch, pay nothing.  In JIT-compiled code
rvmprof finds the (inlined) methods through the JIT's code map
(`jitdriver_unique_id`).

The file is in vmprof's format; tools/profile_report.py reads it.
"""

import os

from rpython.rlib import rvmprof, jit
from rpython.rlib.rvmprof import cintf
from rpython.rtyper.lltypesystem import lltype, rffi

from spyvm.code import CompiledCode, code_location

# seconds between samples (vmprof's own default, about 1 kHz)
INTERVAL = 0.001
NAME_PREFIX = "st:"
NAME_SUFFIX = ":0:spy"


def code_name(code):
    """vmprof wants 'kind:name:line:file' with exactly three colons, so the
    colons of keyword selectors are written as ';' (no selector has one)."""
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


def profiling(space):
    """Whether activations go on vmprof's stack.  Traces read the command
    line's switch (Config.profiling), an immutable field that tracing folds
    to a constant; `state.on` is quasi-immutable, and its read recorded an
    operation and a guard per activation.  The two agree while Smalltalk
    code runs: main starts the profiler after setting the switch and stops
    it after the last Smalltalk code."""
    if jit.we_are_jitted():
        return space.config.profiling
    return state.on


class FreeList(object):
    """Stack entries for vmprof, reused: rvmprof's own enter_code mallocs
    and frees one per activation, a cost of ~15 % in the interpreter."""
    _attrs_ = ['head']

    def __init__(self):
        self.head = lltype.nullptr(cintf.VMPROFSTACK)


free_entries = FreeList()


@jit.dont_look_inside      # do_use_eci is a C macro: no function for the JIT
def enter_code(unique_id):
    """Push a code entry on vmprof's stack (as cintf.enter_code does)."""
    cintf.do_use_eci()
    s = free_entries.head
    if s:
        free_entries.head = s.c_next
    else:
        s = lltype.malloc(cintf.VMPROFSTACK, flavor='raw')
    s.c_next = cintf.vmprof_tl_stack.get_or_make_raw()
    s.c_value = unique_id
    s.c_kind = cintf.VMPROF_CODE_TAG
    # only now is `s` visible to the sampling signal handler
    cintf.vmprof_tl_stack.setraw(s)
    return s


@jit.dont_look_inside
def leave_code(s):
    cintf.vmprof_tl_stack.setraw(s.c_next)
    s.c_next = free_entries.head
    free_entries.head = s


def activation(func):
    """Decorator for `func(interp, ctx)`, the function that runs one
    activation: while profiling, ctx's method is on vmprof's stack.  This
    is rvmprof.vmprof_execute_code with a free list and an off switch; in
    traces the oopspec makes the JIT keep the stack (see rvmprof.py)."""
    @jit.oopspec("rvmprof.jitted(unique_id)")
    def jitted(unique_id, interp, ctx):
        return func(interp, ctx)

    def activate(interp, ctx):
        if not profiling(interp.space):
            return func(interp, ctx)
        code = ctx.code
        assert code is not None
        unique_id = unique_id_of(code)
        if jit.we_are_jitted():
            return jitted(unique_id, interp, ctx)
        entry = enter_code(unique_id)
        try:
            return func(interp, ctx)
        finally:
            leave_code(entry)
    activate.__name__ = func.__name__ + "_maybe_profiled"
    # rvmprof's C code recognises the interpreter's frames by this name
    # (IS_VMPROF_EVAL in rvmprof.c), as rvmprof.vmprof_execute_code does
    activate.c_name = '__vmprof_eval_vmprof'
    return activate


def unique_id_of(code):
    """The code's vmprof id, registering the code the first time.  A field
    read in traces (a residual call per activation cost 3x on richards)."""
    if code._vmprof_unique_id == 0:
        register(code)
    return rffi.cast(lltype.Signed, code._vmprof_unique_id)


@jit.dont_look_inside      # writes the profile file
def register(code):
    rvmprof.register_code(code, code_name)


def jitdriver_unique_id(pc, interp, code, key):
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
