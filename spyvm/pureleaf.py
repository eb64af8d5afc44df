"""Pure leaf methods: evaluated without a context.

A megamorphic send site cannot inline its callee (the callee is not a trace
constant), so each send used to make the callee's context, pass the
caller's context to a residual call that may force it, and run the
callee's bytecodes in the interpreter: ~45 ns per send in the polymorphism
sweep (docs/pics.md).  Most callees at such sites are tiny: accessors,
`^ x + k`, comparisons.  A *pure* leaf only pushes (receiver slots,
arguments, temporaries, literals, constants), sends isNil/notNil or the
SmallInt fast paths of SendBinary, branches forwards and returns.  It has
no effect but its answer, so it can run on a scratch stack, with no
context and without the caller: the trace's call cannot force the caller's
context, and nothing is allocated but the answer.  Such a method is decoded
and checked once into a LeafProgram (code.compile_pure_leaf): every path
returns, the stack stays in bounds, every literal and temporary exists;
a method that fails these checks is simply not a pure leaf.  Whenever a
leaf would do anything else at run time (a SendBinary whose fast path
fails, a receiver slot it cannot read, an argument that was not passed),
it answers None before any effect, and the send runs the method the
ordinary way, which then does exactly what it always did, errors and
backtraces included.

The interpreter uses `evaluate` for every send of a pure leaf when it is
not profiling (vmprof would miss the activation).  Traces inline callees
wherever the site names their classes; at megamorphic sites they make one
residual call, `megamorphic_send`, which also does the lookup.
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import always_inline
from rpython.rlib.rarithmetic import ovfcheck

from spyvm import code as c
from spyvm.errors import PrimitiveFailed
from spyvm.model import W_SmallInt, W_PointersObject


class Scratch(object):
    """The operand stack of `run`; one per space, as a leaf never calls
    out (it cannot be re-entered)."""
    _attrs_ = ['stack_w']

    def __init__(self):
        self.stack_w = [None] * c.LEAF_MAX_STACK


@jit.dont_look_inside
def evaluate(space, code, w_args):
    """The answer of the pure leaf `code` run with `w_args` (receiver
    first), or None if it must run the ordinary way.  Not traced: a plain
    residual call, which cannot force the caller's context."""
    program = code.leaf_program
    if program is None or not isinstance(w_args, W_PointersObject):
        return None
    nargs = w_args.size()
    w_a0 = w_a1 = w_a2 = None
    if nargs > 0:
        w_a0 = w_args.fetch(space, 0)
    if nargs > 1:
        w_a1 = w_args.fetch(space, 1)
    if nargs > 2:
        w_a2 = w_args.fetch(space, 2)
    return run(space, program, nargs, w_a0, w_a1, w_a2)


@jit.dont_look_inside
def megamorphic_send(space, selector, w_class, nargs, w_a0, w_a1,
                     w_a2):
    """A send from a megamorphic site in a trace, as one residual call:
    the global cache's lookup and, for a pure leaf, its answer.  None when
    the send must run the ordinary way; then space.method_cache.found is
    the code it runs (None: not understood).  The receiver and up to two
    arguments come unboxed, so the trace allocates no arguments Array."""
    cache = space.method_cache
    code = cache.lookup(space, w_class, selector)
    cache.found = code
    if code is None:
        return None
    program = code.leaf_program
    if program is None:
        return None
    return run(space, program, nargs, w_a0, w_a1, w_a2)


def run(space, program, nargs, w_a0, w_a1, w_a2):
    stack_w = space.leaf_scratch.stack_w
    w_result = _run(space, program, nargs, w_a0, w_a1, w_a2, stack_w)
    for i in range(program.depth):
        stack_w[i] = None       # keep no object alive
    return w_result


def _run(space, program, nargs, w_a0, w_a1, w_a2, stack_w):
    # compile_pure_leaf checked the stack depth and every operand but the
    # receiver's slots and the number of arguments
    ops = program.ops
    ip = 0
    sp = 0
    while True:
        op = ops[ip]
        ip += 1
        kind = op & 0xff
        operand = op >> 8
        if kind == c.LEAF_PUSH_ARGUMENT:
            if operand >= nargs:
                return None
            if operand == 0:
                w_value = w_a0
            elif operand == 1:
                w_value = w_a1
            else:
                w_value = w_a2
        elif kind == c.LEAF_PUSH_INSTANCE:
            # only plain objects: a Context's fetch reads its virtualizable
            # fields, which would make this call one that may force
            if not isinstance(w_a0, W_PointersObject):
                return None
            try:
                w_value = w_a0.fetch(space, operand)
            except PrimitiveFailed:
                return None
            if w_value is None:
                return None
        elif kind == c.LEAF_PUSH_LITERAL:
            w_value = program.literals_w[operand]
        elif kind == c.LEAF_PUSH_CONSTANT:
            w_value = space.constant_value(operand)
        elif kind == c.LEAF_PUSH_NIL:
            w_value = space.w_nil
        elif kind == c.LEAF_BINARY:
            w_value = _binary(space, operand, stack_w[sp - 2],
                              stack_w[sp - 1])
            if w_value is None:
                return None
            sp -= 2
        elif kind == c.LEAF_IS_NIL:
            sp -= 1
            w_value = space.wrap_bool(stack_w[sp] is space.w_nil)
        elif kind == c.LEAF_NOT_NIL:
            sp -= 1
            w_value = space.wrap_bool(stack_w[sp] is not space.w_nil)
        elif kind == c.LEAF_STACK_RETURN:
            return stack_w[sp - 1]
        elif kind == c.LEAF_SELF_RETURN:
            return w_a0
        elif kind == c.LEAF_DUPLICATE:
            w_value = stack_w[sp - 1]
        elif kind == c.LEAF_POP:
            sp -= 1
            continue
        elif kind == c.LEAF_JUMP:
            ip = operand
            continue
        else:
            sp -= 1
            w_cond = stack_w[sp]
            if kind == c.LEAF_JUMP_IF_TRUE:
                taken = w_cond is space.w_true
            else:
                taken = w_cond is space.w_false
            if taken:
                ip = operand
            continue
        stack_w[sp] = w_value
        sp += 1


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
