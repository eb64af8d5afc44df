"""Pure methods: evaluated without a context.

A megamorphic send site cannot inline its callee (the callee is not a trace
constant), so each send used to make the callee's context, pass the
caller's context to a residual call that may force it, and run the
callee's bytecodes in the interpreter or enter its compiled code through
RPython's portal: ~45-90 ns per send in the polymorphism sweep
(docs/pics.md).  Most callees at such sites are small: accessors,
`^ x + k`, comparisons, `^ (x max: 0) + k`.  A *pure* method only pushes
(receiver slots, arguments, temporaries, literals, constants), sends
isNil/notNil, the SmallInt fast paths of SendBinary or messages of at most
two arguments, branches forwards and returns.  It has no effect but its
answer as long as every message it sends finds a pure method too, so it
can run on a scratch stack, with no context and without the caller: the
trace's call cannot force the caller's context, and nothing is allocated
but the answer.  Such a method is decoded and checked once into a
LeafProgram (code.compile_pure_leaf): every path returns, the stack stays
in bounds, every literal and temporary exists; a method that fails these
checks is not pure.  A pure *leaf* is one that sends no message.

Whenever a pure method would do anything else at run time (a SendBinary
whose fast path fails, a receiver slot it cannot read, an argument that
was not passed, a message whose method is not pure, is not in the global
method cache or would nest more than LEAF_MAX_DEPTH activations), the
evaluation answers None.  Nothing has happened yet, so the send runs the
method the ordinary way, which then does exactly what it always did,
errors and backtraces included.

The interpreter uses `evaluate` for every send of a pure leaf, and for a
pure method that sends only at a megamorphic site (Interpreter.invoke),
when it is not profiling (vmprof would miss the activation).  Traces
inline callees wherever the site names their classes; at megamorphic sites
they make one residual call, `megamorphic_send`, which also does the
lookup.
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import specialize
from rpython.rlib.rarithmetic import ovfcheck

from spyvm import code as c
from spyvm.code import NOT_FOUND
from spyvm.model import W_SmallInt, W_PointersObject, NIL_TAG, RAW_NIL

# What `run` answers when the value is a SmallInt: the integer itself is in
# the Scratch's `int_result`.  Making the box is left to the caller, so
# `run` allocates nothing: the trace's call to megamorphic_send is one that
# cannot collect (cheaper), and the box it makes is usually virtual.
INT_RESULT = W_SmallInt(0)


# The scratch stack: room for LEAF_MAX_DEPTH activations, each with its
# arguments (at most 3) and its own stack
SCRATCH_SIZE = c.LEAF_MAX_DEPTH * (c.LEAF_MAX_STACK + c.LEAF_MAX_ARGUMENT + 1)


class Scratch(object):
    """The operand stacks of `run`; one per space, as a pure method never
    calls out (it cannot be re-entered).  An entry whose `stack_w` item is
    None is a SmallInt held as a raw word in `stack_i`.  An activation's
    receiver and arguments are the entries its sender pushed; the
    suspended senders are kept in the `sender_*` arrays.  A send whose
    lookup missed the global cache leaves its class and site in `w_missed`
    and `missed_site` for `fill_missed`."""
    _attrs_ = ['stack_w', 'stack_i', 'int_result', 'used', 'w_missed',
               'missed_site', 'sender_programs', 'sender_ips', 'sender_bases',
               'sender_nargs', 'give_ups', 'misses', 'refusals']

    def __init__(self):
        self.stack_w = [None] * SCRATCH_SIZE
        self.stack_i = [0] * SCRATCH_SIZE
        self.int_result = 0
        self.used = 0       # stack_w entries to clear after a run
        self.w_missed = None
        self.missed_site = None
        self.sender_programs = [None] * c.LEAF_MAX_DEPTH
        self.sender_ips = [0] * c.LEAF_MAX_DEPTH
        self.sender_bases = [0] * c.LEAF_MAX_DEPTH
        self.sender_nargs = [0] * c.LEAF_MAX_DEPTH
        # for --stats: evaluations that gave up (of which for a send the
        # global cache did not know), and that were not tried (refused).
        # Not those that answer: a count on the hot path
        self.give_ups = 0
        self.misses = 0
        self.refusals = 0


@jit.dont_look_inside
def evaluate(space, code, w_args):
    """The answer of the pure method `code` run with `w_args` (receiver
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
    w_value = run(space, program, nargs, w_a0, w_a1, w_a2)
    if w_value is None and fill_missed(space):
        w_value = run(space, program, nargs, w_a0, w_a1, w_a2)
    return box(space, w_value)


def box(space, w_value):
    """`run`'s answer as an object."""
    if w_value is INT_RESULT:
        return space.wrap_int(space.leaf_scratch.int_result)
    return w_value


@jit.dont_look_inside
def fill_missed(space):
    """Look up the send that made the last `run` give up because the global
    method cache did not know it (`run` itself may not allocate), so that
    the next run finds it.  Whether there was one."""
    scratch = space.leaf_scratch
    w_class = scratch.w_missed
    site = scratch.missed_site
    if w_class is None or site is None:
        return False
    scratch.w_missed = None
    scratch.missed_site = None
    space.method_cache.lookup(space, w_class, site.selector)
    return True


@jit.dont_look_inside
def megamorphic_send(space, site, w_class, nargs, w_a0, w_a1, w_a2):
    """A send from a megamorphic site in a trace, as one residual call
    that allocates nothing: a probe of the global method cache and, for a
    pure method, its answer (INT_RESULT: see `box`).  None when the send
    must run the ordinary way; then space.method_cache.found is the code it
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
    """The answer of `program` (INT_RESULT: a SmallInt, see `box`), or None
    before any effect.  Allocates nothing and raises nothing."""
    scratch = space.leaf_scratch
    stack_w = scratch.stack_w
    if not program.sends:
        # a pure leaf: as before methods could send, nothing but the run
        w_result = _run(space, program, nargs, w_a0, w_a1, w_a2, scratch,
                        False)
        i = 0
        # a while loop: the JIT's collect analysis sees a range as an
        # allocation
        while i < program.depth:
            stack_w[i] = None       # keep no object alive
            i += 1
        if w_result is None:
            scratch.give_ups += 1
        return w_result
    if program.refused():
        scratch.refusals += 1
        return None
    scratch.used = program.depth
    scratch.w_missed = None
    w_result = _run(space, program, nargs, w_a0, w_a1, w_a2, scratch, True)
    # one that gives up more often than it answers stops trying; a cache
    # miss does not count, as the caller fills it (fill_missed)
    if w_result is None:
        scratch.give_ups += 1
        if scratch.w_missed is None:
            program.failures += 1
    elif program.failures > 0:
        program.failures -= 1
    i = 0
    # only entries that hold an object: as a plain loop the C compiler
    # makes this a call to memset, which for these sizes cost a megamorphic
    # send of a pure leaf 60 % more (docs/pics.md)
    while i < scratch.used:
        if stack_w[i] is not None:
            stack_w[i] = None
        i += 1
    return w_result


@specialize.arg(7)
def _run(space, program, nargs, w_a0, w_a1, w_a2, scratch, sends):
    # Two copies: with `sends` False (a pure leaf) the C compiler sees no
    # activation but the first, which kept the leaves' loop as fast as it
    # was before methods could send (docs/pics.md).
    # compile_pure_leaf checked each program's stack depth and operands;
    # what is left to check is the receiver's slots, the number of
    # arguments and what each send finds.  The first activation's receiver
    # and arguments are w_a0..w_a2 and its stack starts at 0; a later
    # one's receiver is at `base`, its arguments follow, its own stack
    # starts at base + nargs.  `sp` is absolute
    stack_w = scratch.stack_w
    stack_i = scratch.stack_i
    ops = program.ops
    depth = 0           # suspended senders
    base = 0
    sp = 0
    ip = 0
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
            if sends and depth > 0:
                w_value = stack_w[base + operand]
                value = stack_i[base + operand]
            elif operand == 0:
                w_value = w_a0
            elif operand == 1:
                w_value = w_a1
            else:
                w_value = w_a2
        elif kind == c.LEAF_PUSH_INSTANCE:
            # only plain objects: a Context's slots are its virtualizable
            # fields, which would make this call one that may force
            w_rcv = stack_w[base] if sends and depth > 0 else w_a0
            if not isinstance(w_rcv, W_PointersObject):
                return None
            if operand >= w_rcv.size():
                return None
            w_value = w_rcv.object_at(operand)
            if w_value is None:
                raw = w_rcv.word(operand)
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
        elif kind == c.LEAF_STACK_RETURN or kind == c.LEAF_SELF_RETURN:
            if not sends or depth == 0:
                if kind == c.LEAF_SELF_RETURN:
                    return w_a0
                w_value = stack_w[sp - 1]
                if w_value is None:
                    scratch.int_result = stack_i[sp - 1]
                    return INT_RESULT
                return w_value
            # back in the sender: the answer replaces the receiver
            if kind == c.LEAF_STACK_RETURN:
                stack_w[base] = stack_w[sp - 1]
                stack_i[base] = stack_i[sp - 1]
            sp = base + 1
            depth -= 1
            program = scratch.sender_programs[depth]
            ip = scratch.sender_ips[depth]
            base = scratch.sender_bases[depth]
            nargs = scratch.sender_nargs[depth]
            ops = program.ops
            continue
        elif kind == c.LEAF_DUPLICATE:
            w_value = stack_w[sp - 1]
            value = stack_i[sp - 1]
        elif kind == c.LEAF_POP:
            sp -= 1
            continue
        elif kind == c.LEAF_JUMP:
            ip = operand
            continue
        elif kind == c.LEAF_MARK:
            continue
        elif kind == c.LEAF_SEND:
            if not sends:
                return None     # not in a pure leaf
            callee = find_callee(space, scratch, program, operand, sp, depth)
            if callee is None:
                return None
            scratch.sender_programs[depth] = program
            scratch.sender_ips[depth] = ip
            scratch.sender_bases[depth] = base
            scratch.sender_nargs[depth] = nargs
            depth += 1
            nargs = operand & 3
            base = sp - nargs
            sp = base + nargs
            program = callee
            ops = program.ops
            ip = 0
            if sp + program.depth > scratch.used:
                scratch.used = sp + program.depth
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


def find_callee(space, scratch, program, operand, sp, depth):
    """The program a LEAF_SEND runs, or None if the evaluation must give
    up: the callee is not pure, is not in the global cache (noted for
    fill_missed), or would go deeper than the scratch stack allows."""
    site = program.sites[operand >> 2]
    nargs = operand & 3
    if depth + 1 >= c.LEAF_MAX_DEPTH:
        return None
    w_rcv = scratch.stack_w[sp - nargs]
    if w_rcv is None:
        w_class = space.w_SmallInt
    else:
        w_class = w_rcv.getclass(space)
    if site.w_leaf_class is w_class and site.leaf_epoch == space.pic_epoch:
        # a monomorphic inline cache: a site in a pure method mostly sees
        # one class (max: to SmallInts), and comparing two words is cheaper
        # than the global cache's probe.  No method changed since it was
        # filled (pic_epoch), so it still names the method found
        callee = site.leaf_callee
    else:
        code = space.method_cache.probe(w_class, site.selector,
                                        site.selector_hash)
        if code is NOT_FOUND:
            scratch.misses += 1
            scratch.w_missed = w_class
            scratch.missed_site = site
            return None
        if code is None:
            return None     # not understood: the ordinary way reports it
        callee = code.leaf_program
        if callee is None:
            return None
        site.w_leaf_class = w_class
        site.leaf_callee = callee
        site.leaf_epoch = space.pic_epoch
    if callee.refused():
        return None
    if sp + callee.depth > SCRATCH_SIZE:
        return None
    return callee
