"""The bytecode interpreter: fetch, decode, dispatch, send.

Each activation runs in its own call of `interpret` (sends recurse on the
host stack), which is what lets RPython's recursive-portal support inline
callees into traces and use call_assembler for deep recursion.  Returns are
plain host returns; `^` inside a block is a NonLocalReturn exception caught
by the send that waits for the target context.
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import specialize, dont_inline
from rpython.rlib.rarithmetic import ovfcheck
from rpython.rlib.rstackovf import StackOverflow, check_stack_overflow

from spyvm import bytecodes as bc
from spyvm.model import W_SmallInt, W_PointersObject
from spyvm.context import (W_Context, W_Block, heap_ref, context_error,
                           method_context, block_context)
from spyvm.code import code_of_method, code_location, NOT_FOUND, \
    QUICK_NONE, QUICK_SELF, QUICK_INSTANCE, QUICK_ARGUMENT, QUICK_LITERAL, \
    QUICK_CONSTANT
from spyvm.lookup import classinfo_of, superclass_of, lookup_at_site, \
    megamorphic_in_trace, hot_class, sample_in_trace
from spyvm.pic import SUPER
from spyvm.errors import (PrimitiveFailed, VMError, Halt, NonLocalReturn,
                          Exit)
from spyvm.memory import OutOfMemory
from spyvm.watchdog import RunEnds
from spyvm.backtrace import format_backtrace
from spyvm.hostio import write_stderr
from spyvm import primitives
from spyvm import profiler
from spyvm import inlining
from spyvm import rootloop
from spyvm import branchbias
from spyvm import loopkey
from spyvm import pureleaf
from spyvm.greenhash import next_green_hash


def get_printable_location(pc, interp, code, key):
    return "%s @%d %s%s" % (code_location(code), pc,
                            bc.name_at(code.bytes, pc), loopkey.describe(key))


jitdriver = jit.JitDriver(
    name='spy',
    # the interpreter is green: one per process, so every trace reads the
    # space's well-known objects (nil, true, classes) as constants; the
    # key names the blocks a loop runs, so callers do not share its trace
    greens=['pc', 'self', 'code', 'key'],
    reds=['ctx'],
    virtualizables=['ctx'],
    get_printable_location=get_printable_location,
    get_unique_id=profiler.jitdriver_unique_id,
    can_never_inline=inlining.can_never_inline,
    is_recursive=True)


class Interpreter(object):
    _attrs_ = ['space', 'error_count', 'prim_table', 'green_hash']
    _immutable_fields_ = ['space', 'prim_table', 'green_hash']

    def __init__(self, space):
        self.space = space
        self.error_count = 0
        self.prim_table = primitives.TABLE
        # what the JIT's counters hash the interpreter by (greenhash.py)
        self.green_hash = next_green_hash()

    # ------------------------------------------------------------ activation

    @profiler.activation
    def interpret(self, ctx):
        """Run ctx until it returns; answer the value it returns."""
        ctx.active = True
        try:
            if ctx.code.leaf and not jit.we_are_jitted():
                # no portal, no compiled code: a leaf method (code.py)
                # runs as fast here and needs no function trace
                return self.dispatch(ctx, False)
            return self.loop(ctx)
        finally:
            ctx.active = False

    def activate(self, ctx):
        if not jit.we_are_jitted():
            # compiled code checks at backward branches only: a check per
            # inlined call cost 30 % on sends; its runaway recursion is
            # the tick handler's (docs/architecture.md, "Watchdog")
            self.watch()
            return self.run_activation(ctx)
        # while tracing: the bookkeeping of --bounded-inlining (inlining.py);
        # nothing of it is left in compiled code
        entered = inlining.enter(ctx.code)
        try:
            return self.run_activation(ctx)
        finally:
            inlining.leave(entered)

    def run_activation(self, ctx):
        try:
            return self.interpret(ctx)
        except RunEnds as e:
            # raised by the watchdog's tick (watchdog.take_tick), which does
            # not know the context
            if e.w_context is None:
                e.w_context = heap_ref(ctx)
            raise
        except StackOverflow:
            check_stack_overflow()
            reason = self.space.watchdog.forced_overflow()
            if reason:
                raise RunEnds(reason, heap_ref(ctx))
            raise context_error("stack overflow: the Smalltalk recursion is "
                                "too deep for the host stack", ctx)
        except MemoryError:
            # the GC's heap cap (memory.py): e.g. a recursion the JIT runs
            # without growing the host stack
            raise context_error(self.space.memory.heap_exhausted(), ctx)

    def loop(self, ctx):
        """The JIT's portal: fetch, decode, dispatch until ctx returns."""
        return self.dispatch(ctx, True)

    @specialize.arg(2)
    def dispatch(self, ctx, jitted):
        # jitted=False: the same loop without the JIT's hooks (leaf methods)
        ctx = jit.hint(ctx, access_directly=True)
        code = ctx.code
        pc = ctx.pc
        key = None
        if jitted:
            # green, hence once per activation: the blocks a loop runs
            key = loopkey.key_of(self.space, ctx)
        while True:
            if jitted:
                jitdriver.jit_merge_point(pc=pc, code=code, self=self,
                                          key=key, ctx=ctx)
                if jit.we_are_jitted():
                    # while tracing: where this trace started (rootloop.py)
                    if rootloop.at_merge_point(code, pc, key):
                        # its first bytecode: no guard keeps dead slots
                        ctx.forget_dead_slots()
            space = self.space
            bytes = code.bytes
            if pc < 0 or pc >= len(bytes):
                raise context_error("%s ran off the end of its bytecodes"
                                    % code_location(code), ctx)
            start = pc
            b = ord(bytes[pc])
            pc += 1
            high = b >> 4
            low = b & 15
            if high == 0:
                if pc >= len(bytes):
                    raise context_error("truncated extended bytecode in %s"
                                        % code_location(code), ctx)
                high = low
                low = ord(bytes[pc])
                pc += 1

            if high == bc.PUSH_INSTANCE:
                ctx.push(self.fetch(ctx, ctx.receiver(), low))
            elif high == bc.PUSH_ARGUMENT:
                ctx.push(self.argument(ctx, low))
            elif high == bc.PUSH_TEMPORARY:
                ctx.push(self.temp(ctx, low))
            elif high == bc.PUSH_LITERAL:
                if low >= len(code.literals_w):
                    raise context_error("literal %d out of range in %s"
                                        % (low, code_location(code)), ctx)
                ctx.push(code.literals_w[low])
            elif high == bc.PUSH_CONSTANT:
                ctx.push(self.constant(ctx, low))
            elif high == bc.ASSIGN_INSTANCE:
                self.store(ctx, ctx.receiver(), low, ctx.top())
            elif high == bc.ASSIGN_TEMPORARY:
                self.store_temp(ctx, low, ctx.top())
            elif high == bc.MARK_ARGUMENTS:
                w_args = space.wrap_list(ctx.pop_n(low))
                next_pc = self.send_marked(ctx, code, pc, w_args)
                if next_pc < 0:
                    ctx.push(w_args)
                else:
                    pc = next_pc
            elif high == bc.SEND_MESSAGE:
                w_args = ctx.pop()
                self.send(ctx, pc, code.site_at(start), w_args)
            elif high == bc.SEND_UNARY:
                self.send_unary(ctx, low)
            elif high == bc.SEND_BINARY:
                self.send_binary(ctx, pc, code.site_at(start), low)
            elif high == bc.PUSH_BLOCK:
                target = self.operand(ctx, code, pc)
                pc += 1
                w_block = W_Block(code, ctx.args_array(space),
                                  ctx.temps_array(space), pc, ctx.w_previous,
                                  low, heap_ref(ctx))
                ctx.push(w_block)
                pc = target
            elif high == bc.DO_PRIMITIVE:
                number = self.operand(ctx, code, pc)
                pc += 1
                if number == 8:
                    # block invocation is a tail call (spec 3.5): this
                    # method's context is abandoned, the block's value goes
                    # straight to our sender
                    return self.call_block(ctx, pc, low)
                self.primitive(ctx, pc, number, low)
            elif high == bc.PUSH_CLASS_VARIABLE:
                w_class = ctx.receiver().getclass(space)
                ctx.push(self.fetch(ctx, w_class, low + 5))
            elif high == bc.DO_SPECIAL:
                if low == bc.SELF_RETURN:
                    return ctx.receiver()
                elif low == bc.STACK_RETURN:
                    return ctx.pop()
                elif low == bc.BLOCK_RETURN:
                    self.block_return(ctx)
                elif low == bc.DUPLICATE:
                    ctx.push(ctx.top())
                elif low == bc.POP_TOP:
                    ctx.pop()
                elif low == bc.BRANCH:
                    target = self.operand(ctx, code, pc)
                    pc += 1
                    if target <= start:
                        self.watch()
                        if jitted and not self.unrolls_here(ctx, code, key):
                            jitdriver.can_enter_jit(pc=target, code=code,
                                                    self=self, key=key,
                                                    ctx=ctx)
                    elif jitted and jit.we_are_jitted():
                        self.leave_root_loop(code, start, target)
                    pc = target
                elif low == bc.BRANCH_IF_TRUE or low == bc.BRANCH_IF_FALSE:
                    target = self.operand(ctx, code, pc)
                    pc += 1
                    w_cond = ctx.pop()
                    if low == bc.BRANCH_IF_TRUE:
                        taken = w_cond is space.w_true
                    else:
                        taken = w_cond is space.w_false
                    # the interpreter profiles the branch; a loop trace
                    # may not take its rare way (branchbias.py)
                    if not jit.we_are_jitted():
                        if branchbias.PROFILE:
                            code.count_branch(start, taken)
                    elif jitted:
                        self.check_rare_branch(code, start, taken)
                    if taken:
                        if target <= start:
                            self.watch()
                            if jitted and not self.unrolls_here(ctx, code, key):
                                jitdriver.can_enter_jit(pc=target, code=code,
                                                        self=self, key=key,
                                                        ctx=ctx)
                        elif jitted and jit.we_are_jitted():
                            self.leave_root_loop(code, start, target)
                        pc = target
                elif low == bc.SEND_TO_SUPER:
                    pc += 1
                    w_args = ctx.pop()
                    self.send(ctx, pc, code.site_at(start), w_args)
                else:
                    raise context_error("unknown DoSpecial %d in %s"
                                        % (low, code_location(code)), ctx)
            else:
                raise context_error("unknown opcode %d in %s"
                                    % (high, code_location(code)), ctx)

    def leave_root_loop(self, code, start, target):
        """While tracing, a forward branch: abort the trace if it leaves
        the loop the trace started at (rootloop.py)."""
        if rootloop.leaves(code, start, target):
            try:
                rootloop.abort(code, jit.current_trace_length())
            except rootloop.LeftRootLoop:
                pass            # the blackhole interpreter goes on here

    def check_rare_branch(self, code, start, taken):
        """While tracing, a conditional branch: abort a loop trace that
        takes it the rare way (branchbias.py)."""
        if branchbias.rare(code, start, taken):
            try:
                branchbias.abort(jit.current_trace_length())
            except branchbias.RareBranch:
                pass            # the blackhole interpreter goes on here

    def unrolls_here(self, ctx, code, key):
        """True for a backward branch of a short loop: one that has never
        taken more than --short-loop backward branches in an activation.
        Such a branch neither counts towards compiling the loop nor, while
        tracing, makes a loop header.

        At a loop header in an inlined activation RPython replaces the
        activation by a call to the loop's compiled code (call_assembler),
        which needs its context in the heap and, through the sender link,
        its caller's too.  Without the header the tracer unrolls a short
        loop instead, so an inlined callee's context stays virtual
        (docs/architecture.md, "Short loops").
        """
        limit = self.space.config.short_loop
        if limit == 0 or loopkey.is_long(code, key):
            return False        # most backward branches: two reads
        return self.counts_short(ctx, code, key, limit)

    # out of line: inlined into the bytecode loop, the counting made
    # spy-nojit's tinyBenchmarks 9 % slower in bytecodes/s
    @dont_inline
    def counts_short(self, ctx, code, key, limit):
        n = ctx.back_jumps
        if n >= limit:
            loopkey.mark_long(code, key)
            return False
        if jit.we_are_jitted() and not inlining.may_unroll_loop(code):
            return False        # a constant while tracing: no guard
        ctx.back_jumps = n + 1
        return True

    def watch(self):
        # at backward branches and activations, where programs spend their
        # time: the watchdog's tick (time and memory limits, watchdog.py)
        self.space.watchdog.check()

    # -------------------------------------------------------------- operands

    def operand(self, ctx, code, pc):
        if pc >= len(code.bytes):
            raise context_error("missing operand byte in %s"
                                % code_location(code), ctx)
        return ord(code.bytes[pc])

    def fetch(self, ctx, w_obj, index):
        try:
            return w_obj.fetch(self.space, index)
        except PrimitiveFailed as e:
            raise context_error("cannot read slot %d: %s" % (index, e.msg),
                                ctx)

    def argument(self, ctx, index):
        try:
            return ctx.argument(self.space, index)
        except PrimitiveFailed as e:
            raise context_error("cannot read argument %d: %s"
                                % (index, e.msg), ctx)

    def temp(self, ctx, index):
        try:
            return ctx.temp(self.space, index)
        except PrimitiveFailed as e:
            raise context_error("cannot read temporary %d: %s"
                                % (index, e.msg), ctx)

    def store_temp(self, ctx, index, w_value):
        try:
            ctx.store_temp(self.space, index, w_value)
        except PrimitiveFailed as e:
            raise context_error("cannot write temporary %d: %s"
                                % (index, e.msg), ctx)

    def store(self, ctx, w_obj, index, w_value):
        try:
            w_obj.store(self.space, index, w_value)
        except PrimitiveFailed as e:
            raise context_error("cannot write slot %d: %s" % (index, e.msg),
                                ctx)

    def constant(self, ctx, low):
        w_value = self.space.constant_value(low)
        if w_value is None:
            raise context_error("undefined PushConstant %d" % low, ctx)
        return w_value

    # ----------------------------------------------------------------- sends

    def send_marked(self, ctx, code, pc, w_args):
        """Hand a MarkArguments Array straight to the send that follows it
        (the compiler's pattern, spec 3.8) and answer the pc after that send,
        or -1 when something else follows.  Off the stack the Array stays
        virtual in traces even where ctx itself had to go to the heap
        (docs/architecture.md, "Arguments that skip the stack")."""
        # pc and code are green: this decoding is constant-folded in traces
        # (and returns no tuple: the interpreter would allocate one per send)
        bytes = code.bytes
        if pc >= len(bytes):
            return -1
        b = ord(bytes[pc])
        next_pc = pc + 1
        if b >> 4 == 0:             # extended: the operand is the next byte
            if next_pc >= len(bytes):
                return -1
            high = b & 15
            low = ord(bytes[next_pc])
            next_pc += 1
        else:
            high = b >> 4
            low = b & 15
        if high == bc.DO_SPECIAL and low == bc.SEND_TO_SUPER:
            next_pc += 1            # the selector's literal index byte
        elif high != bc.SEND_MESSAGE:
            return -1
        self.send(ctx, next_pc, code.site_at(pc), w_args)
        return next_pc

    def send(self, ctx, pc, site, w_args):
        """SendMessage / SendToSuper / SendBinary fallback (spec 3.7)."""
        space = self.space
        if not isinstance(w_args, W_PointersObject) or w_args.size() == 0:
            raise context_error("send of %s without an arguments array"
                                % site.selector, ctx)
        w_args.switch_to_objects(space)
        w_rcv = w_args.slots_w[0]
        inline = not site.megamorphic
        if site.kind == SUPER:
            # monomorphic by nature: the start class is the method's parent
            w_class = jit.promote(superclass_of(space, ctx.code.w_class))
        else:
            w_class = w_rcv.getclass(space)
            if megamorphic_in_trace(space, site):
                if site.sampling:
                    sample_in_trace(space, site, w_class)
                w_hot = hot_class(site, w_class)
                if w_hot is not None:
                    # type feedback (pic.py): a hot class is a constant
                    # here and its callee is inlined
                    w_class = w_hot
                    inline = True
                elif len(w_args.slots_w) <= 3 and \
                        not profiler.profiling(space):
                    self.send_megamorphic(ctx, pc, site, w_class, w_args)
                    return
        code = lookup_at_site(space, site, w_class)
        if code is None:
            code, w_args = self.not_understood(ctx, w_class, site.w_selector,
                                               w_args)
        self.invoke(ctx, pc, code, w_args, inline)

    def send_megamorphic(self, ctx, pc, site, w_class, w_args):
        """A send from a megamorphic site in a trace: one residual call
        looks the method up and answers a pure leaf's value (pureleaf.py);
        any other method runs through invoke_residual."""
        space = self.space
        if space.config.stats_enabled:
            site.megamorphic_sends += 1
        slots_w = w_args.slots_w
        nargs = len(slots_w)
        w_a1 = slots_w[1] if nargs > 1 else None
        w_a2 = slots_w[2] if nargs > 2 else None
        w_value = pureleaf.megamorphic_send(space, site, w_class, nargs,
                                            slots_w[0], w_a1, w_a2)
        if w_value is not None:
            # the SmallInt's box is made here, where it is often virtual
            ctx.push(pureleaf.box(space, w_value))
            return
        code = space.method_cache.found
        if space.leaf_scratch.w_missed is not None:
            # a send inside a pure method missed the cache: look it up, so
            # that the next evaluation finds it
            pureleaf.fill_missed(space)
        if code is NOT_FOUND:
            code = space.method_cache.lookup(space, w_class, site.selector)
        if code is None:
            code, w_args = self.not_understood(ctx, w_class, site.w_selector,
                                               w_args)
        self.call(ctx, pc, code, w_args, False)

    def invoke(self, ctx, pc, code, w_args, inline=True):
        """Run `code` with `w_args` and push its value on ctx's stack."""
        if code.quick_kind != QUICK_NONE:
            w_value = self.quick_value(code, w_args)
            if w_value is not None:
                ctx.push(w_value)
                return
        # a pure method needs no context (pureleaf.py).  A pure leaf: in
        # the interpreter always, in traces where the callee is not
        # inlined.  One that sends: only from a megamorphic site, so that
        # everywhere else the interpreter runs, and profiles, what the
        # traces will inline, as it did before such methods were pure
        # (docs/pics.md).  vmprof would not see it, so not while profiling
        program = code.leaf_program
        if program is not None and not profiler.profiling(self.space) and \
                (not inline or
                 (not program.sends and not jit.we_are_jitted())) and \
                not program.refused():
            w_value = pureleaf.evaluate(self.space, code, w_args)
            if w_value is not None:
                ctx.push(w_value)
                return
        self.call(ctx, pc, code, w_args, inline)

    def call(self, ctx, pc, code, w_args, inline):
        """Run `code` in a context of its own (or the block it calls)."""
        ctx.pc = pc     # suspend: visible to Context current / backtraces
        w_block = self.block_to_call(code, w_args)
        try:
            if w_block is not None:
                w_result = self.value_block(ctx, w_block, w_args,
                                            code.block_arity)
            elif inline:
                w_result = self.activate(self.new_context(ctx, code, w_args))
            else:
                w_result = self.invoke_residual(heap_ref(ctx), code, w_args)
        except NonLocalReturn as e:
            if e.w_target is not ctx:
                raise
            w_result = e.w_value
        ctx.push(w_result)

    def block_to_call(self, code, w_args):
        """The Block a `Block>>value...` method would call, or None."""
        if code.block_arity < 0 or w_args.size() != code.block_arity + 1:
            return None
        w_block = w_args.fetch(self.space, 0)
        if isinstance(w_block, W_Block):
            return w_block
        return None

    def quick_value(self, code, w_args):
        """The value of a quick method, or None when it would fail (then
        the method runs normally and reports the error with its context)."""
        space = self.space
        kind = code.quick_kind
        index = code.quick_index
        if kind == QUICK_SELF:
            return w_args.fetch(space, 0)
        elif kind == QUICK_ARGUMENT:
            if index < w_args.size():
                return w_args.fetch(space, index)
        elif kind == QUICK_INSTANCE:
            w_rcv = w_args.fetch(space, 0)
            if isinstance(w_rcv, W_PointersObject) and index < w_rcv.size():
                return w_rcv.fetch(space, index)
        elif kind == QUICK_LITERAL:
            if index < len(code.literals_w):
                return code.literals_w[index]
        elif kind == QUICK_CONSTANT:
            return space.constant_value(index)
        return None

    def new_context(self, ctx, code, w_args):
        return method_context(self.space, code, w_args, code.stack_size,
                              heap_ref(ctx))

    @jit.dont_look_inside
    def invoke_residual(self, ctx, code, w_args):
        """A call the trace does not follow: used by megamorphic sites, so
        the callee's code is not a trace constant and one trace serves every
        receiver class (the callee still runs its own compiled code)."""
        return self.activate(self.new_context(ctx, code, w_args))

    def not_understood(self, ctx, w_class, w_selector, w_args):
        """Answer (code, args) for doesNotUnderstand: (spec 6)."""
        space = self.space
        code = classinfo_of(space, w_class).lookup("doesNotUnderstand:")
        if code is None:
            raise context_error("%s does not understand \"%s\" and has no "
                                "doesNotUnderstand:"
                                % (space.class_name(w_class),
                                   w_selector.as_string()), ctx)
        w_message = space.wrap_list([w_selector, w_args])
        return code, space.wrap_list([w_args.slots_w[0], w_message])

    def send_selector(self, ctx, pc, w_rcv, selector, args_w):
        """A send made by the VM itself (error reporting)."""
        space = self.space
        w_args = space.wrap_list([w_rcv] + args_w)
        w_class = w_rcv.getclass(space)
        code = classinfo_of(space, w_class).lookup(selector)
        if code is None:
            code, w_args = self.not_understood(
                ctx, w_class, space.wrap_string(selector), w_args)
        self.invoke(ctx, pc, code, w_args)

    def send_unary(self, ctx, low):
        space = self.space
        w_value = ctx.pop()
        if low == 0:
            ctx.push(space.wrap_bool(w_value is space.w_nil))
        elif low == 1:
            ctx.push(space.wrap_bool(w_value is not space.w_nil))
        else:
            raise context_error("undefined SendUnary %d" % low, ctx)

    def send_binary(self, ctx, pc, site, low):
        """The mandatory SmallInt fast path, else a real send (spec 3.7)."""
        space = self.space
        w_j = ctx.pop()
        w_i = ctx.pop()
        if isinstance(w_i, W_SmallInt) and isinstance(w_j, W_SmallInt):
            i = w_i.value
            j = w_j.value
            if low == 0:
                ctx.push(space.wrap_bool(i < j))
                return
            elif low == 1:
                ctx.push(space.wrap_bool(i <= j))
                return
            elif low == 2:
                try:
                    ctx.push(space.wrap_int(ovfcheck(i + j)))
                    return
                except OverflowError:
                    pass    # the image's SmallInt>>+ makes a LargeInteger
        self.send(ctx, pc, site, space.wrap_list([w_i, w_j]))

    # ---------------------------------------------------------------- blocks

    def call_block(self, ctx, pc, argc):
        """Primitive 8: `<8 a1 ... ak block>`."""
        # a `^` in the block may aim at this context (if the block's
        # creator was called from here): it then resumes after the
        # primitive, with the value pushed, as in the reference VMs
        ctx.pc = pc
        w_block = ctx.pop()
        if not isinstance(w_block, W_Block):
            raise context_error("primitive 8 needs a Block", ctx)
        args_w = ctx.pop_n(argc - 1)
        self.store_block_args(ctx, w_block, args_w)
        # this context is abandoned: a `^` aimed at it resumes it from the
        # execution boundary, like any other dead context
        ctx.active = False
        return self.activate(block_context(w_block, ctx.w_previous))

    def value_block(self, ctx, w_block, w_args, arity):
        """A send of Block>>value... runs the block at once: what primitive
        8's tail call would leave, without the abandoned method context."""
        self.store_block_args(ctx, w_block, self.block_args(w_args, arity))
        return self.activate(block_context(w_block, heap_ref(ctx)))

    @jit.unroll_safe
    def block_args(self, w_args, arity):
        space = self.space
        return [w_args.fetch(space, i + 1) for i in range(arity)]

    @jit.unroll_safe
    def store_block_args(self, ctx, w_block, args_w):
        # a constant index: a store at an unknown one would make the trace
        # forget every temporary it has read from the Array
        location = jit.promote(w_block.arg_location)
        for i in range(len(args_w)):
            self.store(ctx, w_block.w_temps, location + i, args_w[i])

    def block_return(self, ctx):
        """`^` in a block: return to creatingContext.previousContext."""
        w_value = ctx.pop()
        block = ctx.block
        if block is None:
            raise NonLocalReturn(ctx.w_previous, w_value)
        w_creator = block.w_creator
        if isinstance(w_creator, W_Context):
            raise NonLocalReturn(w_creator.w_previous, w_value)
        raise NonLocalReturn(self.space.w_nil, w_value)

    # ------------------------------------------------------------ primitives

    def primitive(self, ctx, pc, number, argc):
        if number == 6:
            w_ctx = ctx.pop()
            ctx.pc = pc
            ctx.push(self.execute(self.context_from(ctx, w_ctx)))
            return
        if number == 34:
            raise Halt()
        if number == 35:
            ctx.pc = pc
            ctx.push(heap_ref(ctx))
            return
        args_w = ctx.pop_n(argc)
        prim = None
        if 0 <= number < len(self.prim_table):
            prim = self.prim_table[number]
        try:
            if prim is None:
                raise PrimitiveFailed("unknown primitive %d" % number)
            w_result = prim(self, args_w)
        except PrimitiveFailed as e:
            self.primitive_failed(ctx, pc, number, e.msg)
            return
        except OutOfMemory as e:
            raise context_error(e.msg, ctx)
        ctx.push(w_result)

    def primitive_failed(self, ctx, pc, number, msg):
        """A Smalltalk-level error: `receiver error: 'primitive N failed'`,
        so the image prints its message and backtrace (spec 4.1)."""
        space = self.space
        self.error_count += 1
        text = "primitive %d failed: %s" % (number, msg)
        self.send_selector(ctx, pc, ctx.receiver(), "error:",
                           [space.wrap_string(text)])

    def context_from(self, ctx, w_obj):
        """Primitive 6 runs a Context built by Smalltalk code."""
        space = self.space
        if isinstance(w_obj, W_Context):
            return w_obj
        if not isinstance(w_obj, W_PointersObject) or w_obj.size() < 7:
            raise context_error("primitive 6 needs a Context", ctx)
        slots_w = w_obj.items(space)
        w_method = slots_w[0]
        w_args = slots_w[1]
        w_temps = slots_w[2]
        if not isinstance(w_method, W_PointersObject):
            raise context_error("primitive 6: the context has no method", ctx)
        if not isinstance(w_args, W_PointersObject) or w_args.size() == 0:
            raise context_error("primitive 6: the context has no arguments",
                                ctx)
        w_args.switch_to_objects(space)
        code = code_of_method(space, w_method)
        if not isinstance(w_temps, W_PointersObject):
            w_temps = space.new_array(code.temp_size)
        pc = 0
        w_pc = slots_w[4]
        if isinstance(w_pc, W_SmallInt):
            pc = w_pc.value
        elif w_pc is not space.w_nil:
            raise context_error("primitive 6: the context's bytePointer is "
                                "not an integer", ctx)
        if pc < 0 or pc >= len(code.bytes):
            raise context_error("primitive 6: bytePointer %d is outside the "
                                "method's %d bytecodes"
                                % (pc, len(code.bytes)), ctx)
        return W_Context(code, w_args, w_temps, code.stack_size, pc,
                         slots_w[6], None)

    # ---------------------------------------------------- execution boundary

    def execute(self, ctx):
        """Run ctx as a nested execution (primitive 6, host doIt).

        Halt and VM errors end the execution with nil (spec 5.7).  A
        non-local return to a context that is no longer running resumes
        that context's chain here, as the reference interpreters do.
        """
        space = self.space
        try:
            return self.run_chain(ctx)
        except Halt:
            self.error_count += 1
            return space.w_nil
        except VMError as e:
            self.error_count += 1
            self.report_vm_error(e)
            if space.memory.exhausted:
                # the GC cannot raise MemoryError a second time
                write_stderr("spy: out of memory: the run ends "
                                        "here\n")
                raise Exit(1)
            if isinstance(e, RunEnds):
                raise Exit(1)
            return space.w_nil

    def run_chain(self, ctx):
        space = self.space
        w_target = ctx
        w_value = space.w_nil
        first = True
        while True:
            if not isinstance(w_target, W_Context):
                return w_value      # a return to nil ends the execution
            if w_target.active:
                # the target runs in an enclosing execution: unwind to it
                raise NonLocalReturn(w_target, w_value)
            if not first:
                w_target.push(w_value)
            first = False
            try:
                w_value = self.activate(w_target)
                w_target = w_target.w_previous
            except NonLocalReturn as e:
                w_target = e.w_target
                w_value = e.w_value

    def report_vm_error(self, e):
        text = "Error: %s\n" % e.msg
        if e.w_context is not None:
            text += format_backtrace(self.space, e.w_context)
        write_stderr(text)
