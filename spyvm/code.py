"""Decoded methods: what the interpreter and the JIT read as constants.

A Method is an ordinary 7-slot object (spec 2.4) that Smalltalk code may
change; its CompiledCode is an immutable snapshot kept as the method's
shadow and dropped (with every cached lookup) when a slot is written.
"""

from rpython.rlib.objectmodel import dont_inline

from spyvm import bytecodes
from spyvm.model import W_PointersObject, W_BytesObject, W_SmallInt, Shadow
from spyvm.errors import VMError
from spyvm.pic import SendSite, SEND, SUPER, BINARY
from spyvm.stackdepth import max_stack_depth
from spyvm.greenhash import next_green_hash

# Bytecode addresses at most 256 temporaries and pushes at most one value per
# byte, so a Method asking for more slots than this is corrupt, not big
MAX_FRAME_SLOTS = 65536

# Quick methods (Smalltalk-80's "quick return" methods): the whole method is
# `^ self`, `^ instVar`, `^ argument`, `^ literal` or `^ constant`, so a send
# answers the value without building a context.
QUICK_NONE = 0
QUICK_SELF = 1
QUICK_INSTANCE = 2
QUICK_ARGUMENT = 3
QUICK_LITERAL = 4
QUICK_CONSTANT = 5


def quick_return(bytes):
    """(kind, operand) if the method only answers a value, else QUICK_NONE."""
    high, low, pc = bytecodes.decode(bytes, 0)
    if pc < 0:
        return QUICK_NONE, 0
    if high == bytecodes.DO_SPECIAL and low == bytecodes.SELF_RETURN:
        return QUICK_SELF, 0
    ret_high, ret_low, end = bytecodes.decode(bytes, pc)
    if end < 0 or ret_high != bytecodes.DO_SPECIAL or \
            ret_low != bytecodes.STACK_RETURN:
        return QUICK_NONE, 0
    if high == bytecodes.PUSH_INSTANCE:
        return QUICK_INSTANCE, low
    if high == bytecodes.PUSH_ARGUMENT:
        return QUICK_ARGUMENT, low
    if high == bytecodes.PUSH_LITERAL:
        return QUICK_LITERAL, low
    if high == bytecodes.PUSH_CONSTANT and low <= bytecodes.CONST_FALSE:
        return QUICK_CONSTANT, low
    return QUICK_NONE, 0


# A leaf method: at most this many bytes, no sends but the SmallInt fast
# paths, no blocks, no loops.  Called from outside a trace (a megamorphic
# site's residual call) it runs in the interpreter loop without the portal
# (Interpreter.interpret): as fast as entering its compiled code, and the
# JIT need not compile a function trace for it (docs/pics.md)
LEAF_MAX_BYTES = 32


TRUNCATED = -1     # instructions(): the bytes end inside an instruction
MISSING = -2       # instructions(): the operand byte is past the end


def takes_operand(high, low):
    return (high == bytecodes.PUSH_BLOCK or high == bytecodes.DO_PRIMITIVE or
            (high == bytecodes.DO_SPECIAL and is_branch(low)) or
            (high == bytecodes.DO_SPECIAL and
             low == bytecodes.SEND_TO_SUPER))


def is_branch(low):
    return (low == bytecodes.BRANCH or low == bytecodes.BRANCH_IF_TRUE or
            low == bytecodes.BRANCH_IF_FALSE)


def instructions(bytes):
    """(start pc, high, low, operand byte) of each instruction, for the
    analyses below; operand is -1 when there is none, MISSING when the
    bytes end before it, and a last entry with high TRUNCATED marks bytes
    that end inside an instruction."""
    result = []
    pc = 0
    while pc < len(bytes):
        start = pc
        high, low, pc = bytecodes.decode(bytes, pc)
        if pc < 0:
            result.append((start, TRUNCATED, 0, -1))
            break
        operand = -1
        if takes_operand(high, low):
            operand = MISSING
            if pc < len(bytes):
                operand = ord(bytes[pc])
            pc += 1
        result.append((start, high, low, operand))
    return result


def is_leaf(bytes):
    if len(bytes) > LEAF_MAX_BYTES:
        return False
    for start, high, low, operand in instructions(bytes):
        if (high == TRUNCATED or high == bytecodes.SEND_MESSAGE or
                high == bytecodes.PUSH_BLOCK):
            return False
        if high == bytecodes.DO_SPECIAL:
            if low == bytecodes.SEND_TO_SUPER:
                return False
            if is_branch(low) and (operand == MISSING or operand <= start):
                return False
    return True


# The operations of a leaf program (pureleaf.py), one int each: the kind in
# the low byte, the operand above it
LEAF_PUSH_INSTANCE = 0
LEAF_PUSH_ARGUMENT = 1      # 0 is the receiver
LEAF_PUSH_LITERAL = 2
LEAF_PUSH_INT = 3           # PushConstant 0-9
LEAF_PUSH_TRUE = 4
LEAF_PUSH_FALSE = 5
LEAF_PUSH_NIL = 6           # also a temporary: never assigned in a leaf
LEAF_IS_NIL = 7
LEAF_NOT_NIL = 8
LEAF_BINARY = 9             # SendBinary's SmallInt fast path
LEAF_SELF_RETURN = 10
LEAF_STACK_RETURN = 11
LEAF_DUPLICATE = 12
LEAF_POP = 13
LEAF_JUMP = 14              # the operand is the target operation's index
LEAF_JUMP_IF_TRUE = 15
LEAF_JUMP_IF_FALSE = 16
LEAF_MARK = 17              # MarkArguments before a LEAF_SEND: no effect
LEAF_SEND = 18              # operand: the program's site index * 4 + nargs

# PushConstant and DoSpecial operands with a leaf operation of their own
LEAF_CONSTANTS = {bytecodes.CONST_NIL: LEAF_PUSH_NIL,
                  bytecodes.CONST_TRUE: LEAF_PUSH_TRUE,
                  bytecodes.CONST_FALSE: LEAF_PUSH_FALSE}
LEAF_SPECIALS = {bytecodes.SELF_RETURN: LEAF_SELF_RETURN,
                 bytecodes.STACK_RETURN: LEAF_STACK_RETURN,
                 bytecodes.DUPLICATE: LEAF_DUPLICATE,
                 bytecodes.POP_TOP: LEAF_POP}

LEAF_MAX_ARGUMENT = 2       # receiver and two arguments: passed unboxed
LEAF_MAX_STACK = 16         # a program's own stack
LEAF_MAX_DEPTH = 4          # activations in one evaluation (pureleaf.py)


# A program with sends that gave up this many times more than it answered
# is no longer evaluated: the ordinary send would redo the work each time
MAX_FAILURES = 8


class LeafProgram(object):
    """A pure method decoded and checked once (compile_pure_leaf), so that
    running it checks no bounds but the receiver's slots and the number of
    arguments.  A send in it (LEAF_SEND) is looked up when it runs and
    must find another pure method."""
    _attrs_ = ['ops', 'literals_w', 'depth', 'sites', 'sends', 'failures']
    _immutable_fields_ = ['ops[*]', 'literals_w[*]', 'depth', 'sites[*]',
                          'sends']

    def __init__(self, ops, literals_w, depth, sites):
        self.ops = ops
        self.literals_w = literals_w
        self.depth = depth      # the deepest the stack gets
        self.sites = sites      # the SendSite of each LEAF_SEND
        # whether there are any: read on every run, so kept here rather
        # than behind a load of the sites list
        self.sends = len(sites) > 0
        # evaluations that had to be abandoned in a send (pureleaf.py)
        self.failures = 0

    def refused(self):
        """Given up too often: sends to it take the ordinary way."""
        return self.failures >= MAX_FAILURES


def leaf_op(kind, operand):
    return kind | (operand << 8)


def compile_pure_leaf(bytes, literals_w, temp_size, sites=None):
    """The LeafProgram of a method that only pushes, sends isNil/notNil,
    SendBinary or (with its `sites`) messages of at most two arguments,
    branches forwards and returns, or None.  Every path must end in a
    return with the stack in bounds: anything the ordinary way would report
    as an error is left to it."""
    if len(bytes) > LEAF_MAX_BYTES:
        return None
    instrs = instructions(bytes)
    index_of = {}
    for i in range(len(instrs)):
        index_of[instrs[i][0]] = i
    ops = [0] * len(instrs)     # fixed-size: the program's ops are immutable
    send_sites = []
    for i in range(len(instrs)):
        start, high, low, operand = instrs[i]
        if high == TRUNCATED or operand == MISSING:
            return None
        if high == bytecodes.MARK_ARGUMENTS:
            # only right before the send it marks, which no branch targets
            if (sites is None or i + 1 >= len(instrs) or
                    instrs[i + 1][1] != bytecodes.SEND_MESSAGE or
                    low < 1 or low > LEAF_MAX_ARGUMENT + 1):
                return None
            ops[i] = leaf_op(LEAF_MARK, low)
            continue
        if high == bytecodes.SEND_MESSAGE:
            if i == 0 or ops[i - 1] & 0xff != LEAF_MARK:
                return None
            site = sites[start]
            if site is None:
                return None
            nargs = ops[i - 1] >> 8
            ops[i] = leaf_op(LEAF_SEND, len(send_sites) * 4 + nargs)
            send_sites.append(site)
            continue
        if high == bytecodes.PUSH_INSTANCE:
            op = leaf_op(LEAF_PUSH_INSTANCE, low)
        elif high == bytecodes.PUSH_ARGUMENT:
            if low > LEAF_MAX_ARGUMENT:
                return None
            op = leaf_op(LEAF_PUSH_ARGUMENT, low)
        elif high == bytecodes.PUSH_TEMPORARY:
            if low >= temp_size:
                return None
            op = leaf_op(LEAF_PUSH_NIL, 0)
        elif high == bytecodes.PUSH_LITERAL:
            if low >= len(literals_w):
                return None
            op = leaf_op(LEAF_PUSH_LITERAL, low)
        elif high == bytecodes.PUSH_CONSTANT:
            if low <= 9:
                op = leaf_op(LEAF_PUSH_INT, low)
            elif low in LEAF_CONSTANTS:
                op = leaf_op(LEAF_CONSTANTS[low], 0)
            else:
                return None
        elif high == bytecodes.SEND_UNARY:
            if low > 1:
                return None
            op = leaf_op(LEAF_IS_NIL + low, 0)
        elif high == bytecodes.SEND_BINARY:
            if low >= len(bytecodes.BINARY_SELECTORS):
                return None     # always a real send
            op = leaf_op(LEAF_BINARY, low)
        elif high != bytecodes.DO_SPECIAL:
            return None
        elif low in LEAF_SPECIALS:
            op = leaf_op(LEAF_SPECIALS[low], 0)
        elif is_branch(low):
            # forwards, to an instruction: no loops, no jumping off the end
            if operand <= start or operand not in index_of:
                return None
            kind = LEAF_JUMP
            if low == bytecodes.BRANCH_IF_TRUE:
                kind = LEAF_JUMP_IF_TRUE
            elif low == bytecodes.BRANCH_IF_FALSE:
                kind = LEAF_JUMP_IF_FALSE
            op = leaf_op(kind, index_of[operand])
        else:
            return None
        ops[i] = op
    depth = leaf_stack_depth(ops)
    if depth < 0:
        return None
    for i in range(len(ops)):
        if ops[i] & 0xff >= LEAF_JUMP and ops[i] & 0xff <= LEAF_JUMP_IF_FALSE \
                and ops[ops[i] >> 8] & 0xff == LEAF_SEND:
            return None     # a branch between a send and its MarkArguments
    return LeafProgram(ops, literals_w, depth, send_sites[:])


def leaf_stack_depth(ops):
    """The deepest the stack gets, or -1 if some path underflows, overflows
    the scratch stack, runs off the end or reaches an instruction with two
    different depths.  Branches go forwards only, so one pass in order sees
    every predecessor of an operation before the operation."""
    if not ops:
        return -1
    depths = [-1] * len(ops)
    depths[0] = 0
    deepest = 0
    for i in range(len(ops)):
        depth = depths[i]
        if depth < 0:
            continue        # unreachable
        kind = ops[i] & 0xff
        if kind <= LEAF_PUSH_NIL or kind == LEAF_DUPLICATE:
            pops, pushes = 0, 1
            if kind == LEAF_DUPLICATE:
                pops, pushes = 1, 2
        elif kind == LEAF_IS_NIL or kind == LEAF_NOT_NIL:
            pops, pushes = 1, 1
        elif kind == LEAF_BINARY:
            pops, pushes = 2, 1
        elif kind == LEAF_SELF_RETURN:
            continue
        elif kind == LEAF_STACK_RETURN or kind == LEAF_POP or \
                kind == LEAF_JUMP_IF_TRUE or kind == LEAF_JUMP_IF_FALSE:
            pops, pushes = 1, 0
        elif kind == LEAF_SEND:
            pops, pushes = (ops[i] >> 8) & 3, 1
        else:
            pops, pushes = 0, 0     # LEAF_JUMP, LEAF_MARK
        if depth < pops:
            return -1
        after = depth - pops + pushes
        if after > LEAF_MAX_STACK:
            return -1
        deepest = max(deepest, after)
        if kind == LEAF_STACK_RETURN:
            continue
        successors = []
        if kind != LEAF_JUMP:
            successors.append(i + 1)
        if LEAF_JUMP <= kind <= LEAF_JUMP_IF_FALSE:
            successors.append(ops[i] >> 8)
        for j in successors:
            if j == len(ops):
                return -1       # runs off the end
            if depths[j] >= 0 and depths[j] != after:
                return -1
            depths[j] = after
    return deepest


def is_pure_leaf(bytes, literal_count=256, temp_size=256, sites=None):
    """Whether pureleaf can run the method (compile_pure_leaf)."""
    return compile_pure_leaf(bytes, [None] * literal_count,
                             temp_size, sites) is not None


def has_backward_branch(bytes):
    """Whether the method (or one of its blocks) has a loop."""
    for start, high, low, operand in instructions(bytes):
        if (high == bytecodes.DO_SPECIAL and is_branch(low) and
                operand != MISSING and operand <= start):
            return True
    return False


def has_conditional_branch(bytes):
    for start, high, low, operand in instructions(bytes):
        if high == bytecodes.DO_SPECIAL and (
                low == bytecodes.BRANCH_IF_TRUE or
                low == bytecodes.BRANCH_IF_FALSE):
            return True
    return False


def sends_value(sites):
    """Whether the method sends value, value:, ... (runs a block): the
    Block protocol is the only way a method runs a block."""
    for site in sites:
        if site is not None and site.selector.startswith("value"):
            return True
    return False


def block_call_arity(bytes):
    """k if the method is `<8 a1 ... ak self>` with its arguments in order
    (Block>>value, value:, ...), else -1.

    Primitive 8 is a tail call, so such a method's context is abandoned as
    soon as it starts (spec 3.5): a send can run the block directly.  That
    keeps Block>>value: out of traces as a function of its own, so the
    JIT's "too long" heuristic can never disable inlining of every block
    call in the program (docs/experiments.md, "JIT history").
    """
    pc = 0
    pushed = []
    while True:
        high, low, next_pc = bytecodes.decode(bytes, pc)
        if next_pc < 0:
            return -1
        if high == bytecodes.PUSH_ARGUMENT:
            pushed.append(low)
            pc = next_pc
            continue
        if high != bytecodes.DO_PRIMITIVE or next_pc >= len(bytes) or \
                ord(bytes[next_pc]) != 8:
            return -1
        k = len(pushed) - 1
        if k < 0 or low != k + 1 or pushed[k] != 0:
            return -1
        for i in range(k):
            if pushed[i] != i + 1:
                return -1
        return k


# the interpreter's branch counts (CompiledCode.count_branch) describe
# about the last BRANCH_WINDOW / 2 to BRANCH_WINDOW runs
BRANCH_WINDOW = 512


class BranchClock(object):
    """The conditional branches the interpreter has counted so far: each
    method's counts carry the time of their last run on this clock, so
    that a trace can tell counts of code it just interpreted from counts
    left over from before that code ran compiled (branchbias.py)."""
    _attrs_ = ['ticks']

    def __init__(self):
        self.ticks = 0


BRANCH_CLOCK = BranchClock()


class CompiledCode(Shadow):
    _attrs_ = ['w_method', 'selector', 'bytes', 'literals_w', 'stack_size',
               'declared_stack_size', 'temp_size', 'w_class', 'sites',
               'quick_kind', 'quick_index', 'block_arity', 'leaf',
               'runs_blocks', 'leaf_program', 'long_loop', 'green_hash',
               'exit_aborts', 'recursion_aborts', 'branch_counts',
               'branch_stamp', 'bias_aborts']
    _immutable_fields_ = ['w_method', 'selector', 'bytes', 'literals_w[*]',
                          'stack_size', 'declared_stack_size', 'temp_size',
                          'w_class', 'sites[*]', 'quick_kind', 'quick_index',
                          'block_arity', 'leaf', 'runs_blocks', 'leaf_program',
                          'long_loop?', 'green_hash']

    def __init__(self, w_method, selector, bytes, literals_w, stack_size,
                 temp_size, w_class, sites, declared_stack_size=0):
        self.w_method = w_method
        self.selector = selector
        self.bytes = bytes
        self.literals_w = literals_w
        # what a running context needs (stackdepth.py) vs what Smalltalk
        # sees as a reified context's stack Array (the method's stackSize)
        self.stack_size = stack_size
        self.declared_stack_size = max(declared_stack_size, stack_size)
        self.temp_size = temp_size
        self.w_class = w_class
        self.sites = sites
        self.quick_kind, self.quick_index = quick_return(bytes)
        self.block_arity = block_call_arity(bytes)
        self.leaf = is_leaf(bytes)
        # a pure method's program, evaluated without a context
        # (pureleaf.py); None for every other method
        self.leaf_program = compile_pure_leaf(bytes, literals_w, temp_size,
                                              sites)
        # such loops get the blocks they run in their green key (loopkey.py)
        self.runs_blocks = (has_backward_branch(bytes) and
                            sends_value(sites))
        # loop traces aborted for leaving their loop (rootloop.py)
        self.exit_aborts = 0
        # traces aborted for growing too long in its recursion (inlining.py)
        self.recursion_aborts = 0
        # per conditional branch at pc: runs at 2 * pc, taken at 2 * pc + 1,
        # counted by the interpreter (branchbias.py); empty without one
        self.branch_counts = [0] * (2 * len(bytes)) \
            if has_conditional_branch(bytes) else []
        # BRANCH_CLOCK's time when the interpreter last counted a branch here
        self.branch_stamp = 0
        # loop traces aborted for a branch going its rare way (branchbias.py)
        self.bias_aborts = 0
        # an activation took more than --short-loop backward branches
        # (Interpreter.unrolls_here); a keyed loop keeps this in its key
        self.long_loop = False
        # what the JIT's counters hash this code by (greenhash.py)
        self.green_hash = next_green_hash()

    def count_branch(self, pc, taken):
        """The interpreter ran the conditional branch at pc (branchbias.py;
        the decoder gives every method with one its counts).  Both counts
        are halved when the runs reach BRANCH_WINDOW, so they tell how the
        branch went lately: a program's phases differ (bounce.st's balls
        hit the walls far more often in its first steps)."""
        tick = BRANCH_CLOCK.ticks + 1
        BRANCH_CLOCK.ticks = tick
        self.branch_stamp = tick
        counts = self.branch_counts
        runs = counts[2 * pc] + 1
        taken_count = counts[2 * pc + 1]
        if taken:
            taken_count += 1
        if runs >= BRANCH_WINDOW:
            runs >>= 1
            taken_count >>= 1
        counts[2 * pc] = runs
        counts[2 * pc + 1] = taken_count

    def branch_profile(self, pc):
        """(runs, times taken) of the conditional branch at pc."""
        counts = self.branch_counts
        if 2 * pc + 1 >= len(counts):
            return 0, 0
        return counts[2 * pc], counts[2 * pc + 1]

    def branch_age(self):
        """How many conditional branches the interpreter has counted
        elsewhere since it last counted one here."""
        return BRANCH_CLOCK.ticks - self.branch_stamp

    def is_cheap_callee(self):
        """Quick or a pure leaf (a pure method that sends nothing): what a
        megamorphic site runs in ~20 ns (pic.py).  A pure method that
        sends costs about twice that, like a 32-way polymorphic site."""
        if self.quick_kind != QUICK_NONE:
            return True
        program = self.leaf_program
        return program is not None and not program.sends

    def runs_without_portal(self, depth=0):
        """Whether a megamorphic site would run this callee without a
        context, as far as its own send sites know: quick, or pure and
        every method its sends have found so far (their recorded classes'
        code) is too, within LEAF_MAX_DEPTH activations.  A callee that
        sends `*` to SmallInts is not (SmallInt>>* sends
        multBySmallInt:, which runs a primitive), and it costs a
        megamorphic site RPython's portal entry (pic.py)."""
        if self.quick_kind != QUICK_NONE:
            return True
        program = self.leaf_program
        if program is None or program.refused():
            return False        # refused: it runs through the portal
        if program.sends and depth + 1 >= LEAF_MAX_DEPTH:
            return False
        for site in program.sites:
            codes = site.codes
            if len(codes) == 0:
                return False    # never sent: no evidence
            for code in codes:
                if code is None or not code.runs_without_portal(depth + 1):
                    return False
        return True

    def slot_changed(self, space, w_obj, index):
        w_obj.shadow = None
        space.classinfo_changed()

    def site_at(self, pc):
        site = self.sites[pc]
        if site is None:
            raise no_site(self, pc)
        return site

    def __repr__(self):
        return "<CompiledCode %s>" % self.selector


@dont_inline
def no_site(code, pc):
    # out of line, so that site_at is small enough to inline
    return VMError("no send site at pc %d of %s" % (pc, code.selector))


NOT_FOUND = CompiledCode(None, "<not found>", "", [], 0, 0, None, [])


def code_location(code):
    """`Class>>selector`, for messages, traces and profiles."""
    w_class = code.w_class
    name = "?"
    if isinstance(w_class, W_PointersObject) and w_class.size() > 0:
        w_name = w_class.object_at(0)
        if isinstance(w_name, W_BytesObject):
            name = w_name.as_string()
    return "%s>>%s" % (name, code.selector)


def code_of_method(space, w_method):
    shadow = w_method.shadow
    if isinstance(shadow, CompiledCode):
        return shadow
    code = decode_method(space, w_method)
    if shadow is not None:
        # an object that was a class or a methods Array now runs as a
        # method: what was cached about it goes (lookup.classinfo_of_constant)
        space.classinfo_changed()
    # raw integer stores skip the shadow: a method keeps only objects
    w_method.switch_to_objects(space)
    w_method.shadow = code
    return code


def decode_method(space, w_method):
    def malformed(what):
        return VMError("malformed method: %s" % what)
    slots_w = w_method.items(space)
    if len(slots_w) < 6:
        raise malformed("fewer than 6 slots")
    w_name = slots_w[0]
    selector = "?"
    if isinstance(w_name, W_BytesObject):
        selector = w_name.as_string()
    w_bytes = slots_w[1]
    if not isinstance(w_bytes, W_BytesObject):
        raise malformed("%s has no byteCodes" % selector)
    w_literals = slots_w[2]
    if isinstance(w_literals, W_PointersObject):
        literals_w = w_literals.items(space)[:]
    else:
        literals_w = []
    w_stack = slots_w[3]
    w_temps = slots_w[4]
    if not isinstance(w_stack, W_SmallInt) or not isinstance(w_temps, W_SmallInt):
        raise malformed("%s has no stackSize/temporarySize" % selector)
    if w_stack.value < 0 or w_temps.value < 0:
        raise malformed("%s has a negative size" % selector)
    if w_stack.value > MAX_FRAME_SLOTS or w_temps.value > MAX_FRAME_SLOTS:
        raise malformed("%s has an absurd stackSize or temporarySize "
                        "(%d, %d; at most %d)" % (selector, w_stack.value,
                                                  w_temps.value,
                                                  MAX_FRAME_SLOTS))
    bytes = w_bytes.as_string()
    # the compiler's stackSize is an estimate (spec 7.22): contexts get what
    # the code can need, often far less (a smaller virtualizable stack
    # makes each call cheaper in compiled code)
    stack_size = max_stack_depth(bytes)
    owner = "%s>>%s" % (space.class_name(slots_w[5]), selector)
    sites = make_sites(space, bytes, literals_w, owner)
    return CompiledCode(w_method, selector, bytes, literals_w,
                        stack_size, w_temps.value, slots_w[5],
                        sites, w_stack.value)


def make_sites(space, bytes, literals_w, owner):
    """One SendSite (inline cache) per send bytecode, indexed by its pc."""
    sites = [None] * len(bytes)
    pc = 0
    while pc < len(bytes):
        start = pc
        high, low, pc = bytecodes.decode(bytes, pc)
        if pc < 0:
            break
        if high == bytecodes.SEND_MESSAGE:
            sites[start] = literal_site(space, literals_w, low, SEND,
                                        owner, start)
        elif high == bytecodes.SEND_BINARY:
            if 0 <= low < len(bytecodes.BINARY_SELECTORS):
                sel = bytecodes.BINARY_SELECTORS[low]
                sites[start] = new_site(space, sel, space.wrap_string(sel),
                                        BINARY, owner, start)
        elif high == bytecodes.PUSH_BLOCK:
            pc += 1
        elif high == bytecodes.DO_PRIMITIVE:
            pc += 1
        elif high == bytecodes.DO_SPECIAL:
            if low in (bytecodes.BRANCH, bytecodes.BRANCH_IF_TRUE,
                       bytecodes.BRANCH_IF_FALSE):
                pc += 1
            elif low == bytecodes.SEND_TO_SUPER:
                if pc < len(bytes):
                    sites[start] = literal_site(space, literals_w,
                                                ord(bytes[pc]), SUPER,
                                                owner, start)
                pc += 1
    return sites


def literal_site(space, literals_w, index, kind, owner, pc):
    if 0 <= index < len(literals_w):
        w_sel = literals_w[index]
        if isinstance(w_sel, W_BytesObject):
            return new_site(space, w_sel.as_string(), w_sel, kind, owner, pc)
    return None


def new_site(space, selector, w_selector, kind, owner, pc):
    site = SendSite(selector, w_selector, kind, "%s @%d" % (owner, pc))
    space.sites.add(site)
    return site
