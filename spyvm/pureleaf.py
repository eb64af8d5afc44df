"""Pure leaf methods: evaluated without a context.

A megamorphic send site cannot inline its callee (the callee is not a trace
constant), so each send used to make the callee's context, pass the
caller's context to a residual call that may force it, and run the
callee's bytecodes in the interpreter: ~45 ns per send in the polymorphism
sweep (docs/pics.md).  Most callees at such sites are tiny: accessors,
`^ x + k`, comparisons.  A *pure* leaf only pushes (receiver slots,
arguments, temporaries, literals, constants), sends isNil/notNil or the
SmallInt fast paths of SendBinary, branches forwards and returns.  It has
no effect but its answer, so `evaluate` can run it on a scratch stack, with
no context and without the caller: the trace's call cannot force the
caller's context, and nothing is allocated but the answer.  Whenever the
method would do anything else (a SendBinary whose fast path fails, a slot
it cannot read, a malformed method), `evaluate` answers None before any
effect, and the send runs the method the ordinary way, which then does
exactly what it always did, errors and backtraces included.

The interpreter uses it for every send of a pure leaf when it is not
profiling (vmprof would miss the activation); traces use it at
megamorphic sites only (elsewhere they inline the callee).
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import always_inline
from rpython.rlib.rarithmetic import ovfcheck

from spyvm import bytecodes as bc
from spyvm.code import is_branch
from spyvm.errors import PrimitiveFailed
from spyvm.model import W_SmallInt, W_PointersObject

MAX_STACK = 16      # the scratch stack: deeper methods run the ordinary way


class Scratch(object):
    """The operand stack of `evaluate`; one per space, as evaluate never
    calls out (it cannot be re-entered)."""
    _attrs_ = ['stack_w']

    def __init__(self):
        self.stack_w = [None] * MAX_STACK


@jit.dont_look_inside
def evaluate(space, code, w_args):
    """The answer of the pure leaf `code` run with `w_args` (receiver
    first), or None if it must run the ordinary way.  Not traced: a plain
    residual call, which cannot force the caller's context."""
    stack_w = space.leaf_scratch.stack_w
    w_result = _run(space, code, w_args, stack_w)
    for i in range(min(code.stack_size, len(stack_w))):
        stack_w[i] = None       # keep no object alive
    return w_result


def _run(space, code, w_args, stack_w):
    if not isinstance(w_args, W_PointersObject):
        return None
    bytes = code.bytes
    limit = min(code.stack_size, len(stack_w))
    sp = 0
    pc = 0
    while pc < len(bytes):
        # decoded inline, as in Interpreter.dispatch: bytecodes.decode's
        # tuple made a megamorphic send 12 % slower (sw64.st, 48 -> 54 ms)
        start = pc
        b = ord(bytes[pc])
        pc += 1
        high = b >> 4
        low = b & 15
        if high == 0:
            if pc >= len(bytes):
                return None
            high = low
            low = ord(bytes[pc])
            pc += 1
        w_value = None
        if high == bc.PUSH_INSTANCE:
            # only plain objects: a Context's fetch reads its virtualizable
            # fields, which would make this call one that may force
            w_rcv = w_args.fetch(space, 0)
            if not isinstance(w_rcv, W_PointersObject):
                return None
            try:
                w_value = w_rcv.fetch(space, low)
            except PrimitiveFailed:
                return None
        elif high == bc.PUSH_ARGUMENT:
            try:
                w_value = w_args.fetch(space, low)
            except PrimitiveFailed:
                return None
        elif high == bc.PUSH_TEMPORARY:
            # never assigned in a pure leaf: a fresh context's nil
            if low >= code.temp_size:
                return None
            w_value = space.w_nil
        elif high == bc.PUSH_LITERAL:
            if low >= len(code.literals_w):
                return None
            w_value = code.literals_w[low]
        elif high == bc.PUSH_CONSTANT:
            w_value = space.constant_value(low)
        elif high == bc.SEND_UNARY:
            if sp < 1 or low > 1:
                return None
            sp -= 1
            is_nil = stack_w[sp] is space.w_nil
            w_value = space.wrap_bool(is_nil if low == 0 else not is_nil)
        elif high == bc.SEND_BINARY:
            if sp < 2:
                return None
            w_value = _binary(space, low, stack_w[sp - 2], stack_w[sp - 1])
            sp -= 2
        elif high == bc.DO_SPECIAL:
            if low == bc.SELF_RETURN:
                try:
                    return w_args.fetch(space, 0)
                except PrimitiveFailed:
                    return None
            elif low == bc.STACK_RETURN:
                if sp < 1:
                    return None
                return stack_w[sp - 1]
            elif low == bc.DUPLICATE:
                if sp < 1:
                    return None
                w_value = stack_w[sp - 1]
            elif low == bc.POP_TOP:
                if sp < 1:
                    return None
                sp -= 1
                continue
            elif is_branch(low):
                if pc >= len(bytes):
                    return None
                target = ord(bytes[pc])
                pc += 1
                if target <= start:
                    return None
                if low != bc.BRANCH:
                    if sp < 1:
                        return None
                    sp -= 1
                    w_cond = stack_w[sp]
                    if low == bc.BRANCH_IF_TRUE:
                        taken = w_cond is space.w_true
                    else:
                        taken = w_cond is space.w_false
                    if not taken:
                        continue
                pc = target
                continue
            else:
                return None
        else:
            return None
        if w_value is None or sp >= limit:
            return None
        stack_w[sp] = w_value
        sp += 1
    return None     # ran off the end: the ordinary way reports it


@always_inline
def _binary(space, low, w_i, w_j):
    """SendBinary's SmallInt fast path (Interpreter.send_binary), or None
    where it would make a real send."""
    if not (isinstance(w_i, W_SmallInt) and isinstance(w_j, W_SmallInt)):
        return None
    i = w_i.value
    j = w_j.value
    if low == 0:
        return space.wrap_bool(i < j)
    elif low == 1:
        return space.wrap_bool(i <= j)
    elif low == 2:
        try:
            return space.wrap_int(ovfcheck(i + j))
        except OverflowError:
            return None
    return None
