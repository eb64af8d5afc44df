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
from rpython.rlib.rarithmetic import ovfcheck

from spyvm import code as c
from spyvm.model import W_SmallInt, W_PointersObject, NIL_TAG, RAW_NIL

# What `run` answers when the value is a SmallInt: the integer itself is in
# the Scratch's `int_result`.  Making the box is left to the caller, so
# `run` allocates nothing: the trace's call to megamorphic_send is one that
# cannot collect (cheaper), and the box it makes is usually virtual.
INT_RESULT = W_SmallInt(0)


class Scratch(object):
    """The operand stack of `run`; one per space, as a leaf never calls
    out (it cannot be re-entered).  An entry whose `stack_w` item is None
    is a SmallInt held as a raw word in `stack_i`."""
    _attrs_ = ['stack_w', 'stack_i', 'int_result']

    def __init__(self):
        self.stack_w = [None] * c.LEAF_MAX_STACK
        self.stack_i = [0] * c.LEAF_MAX_STACK
        self.int_result = 0


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
    return box(space, run(space, program, nargs, w_a0, w_a1, w_a2))


def box(space, w_value):
    """`run`'s answer as an object."""
    if w_value is INT_RESULT:
        return space.wrap_int(space.leaf_scratch.int_result)
    return w_value


@jit.dont_look_inside
def megamorphic_send(space, site, w_class, nargs, w_a0, w_a1, w_a2):
    """A send from a megamorphic site in a trace, as one residual call
    that allocates nothing: a probe of the global method cache and, for a
    pure leaf, its answer (INT_RESULT: see `box`).  None when the send must
    run the ordinary way; then space.method_cache.found is the code it
    runs (None: not understood; NOT_FOUND: the probe missed).  The
    receiver and up to two arguments come unboxed, so the trace allocates
    no arguments Array."""
    cache = space.method_cache
    code = cache.probe(w_class, site.selector, site.selector_hash)
    if code is not None:
        program = code.leaf_program     # None for NOT_FOUND too
        if program is not None:
            w_value = run(space, program, nargs, w_a0, w_a1, w_a2)
            if w_value is not None:
                return w_value
    cache.found = code
    return None


def run(space, program, nargs, w_a0, w_a1, w_a2):
    scratch = space.leaf_scratch
    w_result = _run(space, program, nargs, w_a0, w_a1, w_a2, scratch)
    stack_w = scratch.stack_w
    i = 0
    # a while loop: the JIT's collect analysis sees a range as an allocation
    while i < program.depth:
        stack_w[i] = None       # keep no object alive
        i += 1
    return w_result


def _run(space, program, nargs, w_a0, w_a1, w_a2, scratch):
    # compile_pure_leaf checked the stack depth and every operand but the
    # receiver's slots and the number of arguments.  Nothing here
    # allocates or raises (see INT_RESULT)
    ops = program.ops
    stack_w = scratch.stack_w
    stack_i = scratch.stack_i
    ip = 0
    sp = 0
    while True:
        op = ops[ip]
        ip += 1
        kind = op & 0xff
        operand = op >> 8
        w_value = None      # None: the raw SmallInt `value`
        value = 0
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
            # only plain objects: a Context's slots are its virtualizable
            # fields, which would make this call one that may force
            if not isinstance(w_a0, W_PointersObject):
                return None
            if operand >= len(w_a0.slots_w):
                return None
            w_value = w_a0.slots_w[operand]
            if w_value is None:
                raw = w_a0.word(operand)
                if raw == RAW_NIL:
                    w_value = space.w_nil
                else:
                    value = raw ^ NIL_TAG
        elif kind == c.LEAF_PUSH_LITERAL:
            w_value = program.literals_w[operand]
        elif kind == c.LEAF_PUSH_INT:
            value = operand
        elif kind == c.LEAF_PUSH_TRUE:
            w_value = space.w_true
        elif kind == c.LEAF_PUSH_FALSE:
            w_value = space.w_false
        elif kind == c.LEAF_PUSH_NIL:
            w_value = space.w_nil
        elif kind == c.LEAF_BINARY:
            sp -= 2
            w_i = stack_w[sp]
            w_j = stack_w[sp + 1]
            if w_i is None:
                i = stack_i[sp]
            elif isinstance(w_i, W_SmallInt):
                i = w_i.value
            else:
                return None
            if w_j is None:
                j = stack_i[sp + 1]
            elif isinstance(w_j, W_SmallInt):
                j = w_j.value
            else:
                return None
            # SendBinary's SmallInt fast path (Interpreter.send_binary)
            if operand == 0:
                w_value = space.wrap_bool(i < j)
            elif operand == 1:
                w_value = space.wrap_bool(i <= j)
            else:
                try:
                    value = ovfcheck(i + j)
                except OverflowError:
                    return None
        elif kind == c.LEAF_IS_NIL or kind == c.LEAF_NOT_NIL:
            sp -= 1
            is_nil = stack_w[sp] is space.w_nil
            w_value = space.wrap_bool(is_nil == (kind == c.LEAF_IS_NIL))
        elif kind == c.LEAF_STACK_RETURN:
            w_value = stack_w[sp - 1]
            if w_value is None:
                scratch.int_result = stack_i[sp - 1]
                return INT_RESULT
            return w_value
        elif kind == c.LEAF_SELF_RETURN:
            return w_a0
        elif kind == c.LEAF_DUPLICATE:
            w_value = stack_w[sp - 1]
            value = stack_i[sp - 1]
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
        stack_i[sp] = value
        sp += 1
