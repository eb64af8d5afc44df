"""Activation records (Context) and blocks (Block) as Smalltalk objects.

The interpreter keeps their state in RPython fields so traces can keep them
virtual; Smalltalk code sees the slots of spec 2.5/2.6 through fetch/store.
The operand stack is a host list: reading slot 3 answers a copy as an Array.
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import dont_inline, we_are_translated
from rpython.rtyper.annlowlevel import (cast_instance_to_gcref,
                                       cast_gcref_to_instance)

from spyvm import framearray
from spyvm.errors import PrimitiveFailed, VMError, index_error
from spyvm.model import W_Object

CONTEXT_SLOTS = 7
BLOCK_SLOTS = 10


def heap_ref(ctx):
    """The running context as a plain reference, for storing it in the heap
    (a block's creator, a callee's sender, primitive 35).

    The interpreter loop reads its context with access_directly (its pc, sp
    and stack live in registers in traces); that flag must not escape into
    heap objects.  Readers from outside force the context as usual.
    """
    if not we_are_translated():
        return ctx
    return cast_gcref_to_instance(W_Context, cast_instance_to_gcref(ctx))


def context_error(msg, ctx):
    """A VMError that ends the execution and prints ctx's backtrace."""
    return VMError(msg, heap_ref(ctx))


# Out of line: the message formatting would make push and pop too big for
# the C compiler to inline them into the interpreter loop.
@dont_inline
def stack_overflow(ctx):
    return context_error("operand stack overflow in %s (its stackSize is "
                         "too small)" % ctx.code.selector, ctx)


@dont_inline
def stack_underflow(ctx):
    return context_error("operand stack underflow in %s" % ctx.code.selector,
                         ctx)


def method_context(space, code, w_args, stack_size, w_previous):
    """A context that runs a method from its start.  The receiver,
    arguments and temporaries live in the context's frame, so neither the
    sender's arguments Array nor a temporaries Array need exist in the
    heap: in traces they stay virtual, and a call through call_assembler
    allocates only the context and its frame (W_Context.args_array,
    temps_array)."""
    # not items(): its loop would be a residual call, and the Array would
    # escape into it
    w_args.switch_to_objects(space)
    return W_Context(code, None, None, stack_size, 0, w_previous, None,
                     w_args.slots_w, code.temp_size, space.w_nil)


def block_context(w_block, w_previous):
    """A context that runs a block's body (primitive 8, fork)."""
    # the callee's portal guards on (start_pc, code) anyway; doing it
    # first gives its stack a constant size, so the context stays virtual
    code = jit.promote(w_block.code)
    start_pc = jit.promote(w_block.start_pc)
    return W_Context(code, w_block.w_args, w_block.w_temps,
                     code.stack_size, start_pc, w_previous, w_block)


class W_Block(W_Object):
    """Made by PushBlock; invoked by primitive 8."""
    _attrs_ = ['code', 'w_args', 'w_temps', 'start_pc', 'w_previous',
               'arg_location', 'w_creator']
    _immutable_fields_ = ['code', 'w_args', 'w_temps', 'start_pc',
                          'w_previous', 'arg_location', 'w_creator']

    def __init__(self, code, w_args, w_temps, start_pc, w_previous,
                 arg_location, w_creator):
        self.code = code
        self.w_args = w_args
        self.w_temps = w_temps
        self.start_pc = start_pc
        self.w_previous = w_previous
        self.arg_location = arg_location
        self.w_creator = w_creator

    def getclass(self, space):
        return space.w_Block

    def size(self):
        return BLOCK_SLOTS

    def fetch(self, space, index):
        if index == 0:
            return self.code.w_method
        elif index == 1:
            return self.w_args
        elif index == 2:
            return self.w_temps
        elif index == 3:
            return space.new_array(self.code.declared_stack_size)
        elif index == 4 or index == 9:
            return space.wrap_int(self.start_pc)
        elif index == 5:
            return space.wrap_int(0)
        elif index == 6:
            return self.w_previous
        elif index == 7:
            return space.wrap_int(self.arg_location)
        elif index == 8:
            return self.w_creator
        raise index_error(index)

    def store(self, space, index, w_value):
        raise PrimitiveFailed("blocks are read-only in this VM")


class W_Context(W_Object):
    """One activation: a method or block body being executed.

    `stack_w` is the frame: a method context made by a send keeps its
    receiver and arguments in the first `nargs` slots, its temporaries up
    to `base` and its operand stack after them.  `w_args` and `w_temps`
    are None until Smalltalk code needs them as Arrays (context slots 1
    and 2; a block made here shares both), which are then made once, and
    read and written from then on.  Other contexts (blocks, primitive 6)
    have both Arrays from the start and `base` 0.

    `active` is true while an interpreter loop on the host stack runs it;
    a non-local return to an inactive context resumes it at the execution
    boundary (spec 3.6: dead contexts are resumed, not refused).
    """
    _attrs_ = ['code', 'w_args', 'w_temps', 'stack_w', 'nargs', 'base', 'sp',
               'pc', 'w_previous', 'active', 'block', 'back_jumps']
    _immutable_fields_ = ['code', 'stack_w', 'nargs', 'base', 'w_previous',
                          'block']
    _virtualizable_ = ['pc', 'sp', 'back_jumps', 'w_args', 'w_temps',
                       'stack_w[*]']

    @jit.unroll_safe
    def __init__(self, code, w_args, w_temps, stack_size, pc, w_previous,
                 block, args_w=None, ntemps=0, w_nil=None):
        """With args_w: a frame holding args_w and ntemps temporaries
        (w_nil each), and w_args, w_temps None; else the two Arrays."""
        self = jit.hint(self, access_directly=True, fresh_virtualizable=True)
        nargs = 0
        if args_w is not None:
            # a constant in traces even when the sender's Array is in the
            # heap: a frame of unknown size could not stay virtual
            nargs = jit.promote(len(args_w))
        else:
            ntemps = 0
        assert ntemps >= 0      # code.py bounds it: base is an index
        base = nargs + ntemps
        self.code = code
        self.w_args = w_args
        self.w_temps = w_temps
        self.stack_w = [None] * (base + stack_size)
        for i in range(nargs):
            self.stack_w[i] = args_w[i]
        for i in range(nargs, base):
            self.stack_w[i] = w_nil
        self.nargs = nargs
        self.base = base
        self.sp = base
        self.pc = pc
        self.w_previous = w_previous
        self.active = False
        self.block = block      # the W_Block for block activations, or None
        self.back_jumps = 0     # counted up to config.short_loop only

    def getclass(self, space):
        return space.w_Context

    def size(self):
        if self.block is None:
            return CONTEXT_SLOTS
        return BLOCK_SLOTS

    # ----------------------------------------------------------- arguments

    def receiver(self):
        w_args = self.w_args
        if w_args is None:
            return self.stack_w[0]
        return w_args.object_at(0)

    def argument(self, space, index):
        """Argument `index` (0 = the receiver), as PushArgument reads it."""
        w_args = self.w_args
        if w_args is None:
            if not 0 <= index < self.nargs:
                raise index_error(index)
            return self.stack_w[index]
        return w_args.fetch(space, index)

    @jit.unroll_safe
    def arguments(self, space):
        """The receiver and arguments as a list, making no Array."""
        w_args = self.w_args
        if w_args is None:
            return [self.stack_w[i] for i in range(self.nargs)]
        return w_args.items(space)

    def args_array(self, space):
        """The arguments Array of spec 2.5, made on first use; from then on
        the context reads its arguments from it, so writes into it (by
        reflection) are seen as in the reference VMs."""
        w_args = self.w_args
        if w_args is None:
            if space.config.frame_arrays:
                w_args = framearray.args_array(space.w_Array,
                                               self.arguments(space))
            else:
                w_args = space.wrap_list(self.arguments(space))
            self.w_args = w_args
        return w_args

    # --------------------------------------------------------- temporaries

    def temp(self, space, index):
        w_temps = self.w_temps
        if w_temps is None:
            if not 0 <= index < self.base - self.nargs:
                raise index_error(index)
            return self.stack_w[self.nargs + index]
        return w_temps.fetch(space, index)

    def store_temp(self, space, index, w_value):
        w_temps = self.w_temps
        if w_temps is None:
            if not 0 <= index < self.base - self.nargs:
                raise index_error(index)
            self.stack_w[self.nargs + index] = w_value
            return
        w_temps.store(space, index, w_value)

    @jit.unroll_safe
    def temps_array(self, space):
        """The temporaries Array of spec 2.5, made on first use (as
        args_array); a block made here reads and writes it as its home's
        temporaries, so from then on the context does too."""
        w_temps = self.w_temps
        if w_temps is None:
            nargs = self.nargs
            n = self.base - nargs
            if n == 0:
                w_temps = space.w_no_temps
            else:
                if space.config.frame_arrays:
                    w_temps = framearray.temps_array(space.w_Array, n)
                else:
                    w_temps = space.new_array(n)
                for i in range(n):
                    w_temps.store(space, i, self.stack_w[nargs + i])
                    # no longer read: keep no object alive
                    self.stack_w[nargs + i] = None
            self.w_temps = w_temps
        return w_temps

    # ------------------------------------------------------------ operands

    def push(self, w_value):
        sp = self.sp
        if sp >= len(self.stack_w):
            raise stack_overflow(self)
        self.stack_w[sp] = w_value
        self.sp = sp + 1

    def pop(self):
        sp = self.sp - 1
        if sp < self.base or sp < 0:    # the second: an index >= 0
            raise stack_underflow(self)
        self.sp = sp
        w_value = self.stack_w[sp]
        # dead slots must hold None: traces compare the whole stack
        self.stack_w[sp] = None
        return w_value

    def top(self):
        sp = self.sp - 1
        if sp < self.base or sp < 0:    # the second: an index >= 0
            raise stack_underflow(self)
        return self.stack_w[sp]

    @jit.unroll_safe
    def forget_dead_slots(self):
        """At a trace's first bytecode: store None above sp.  The slots hold
        None already (pop), but the trace reads the portal context's slots
        from the heap as unknown values, and every guard would keep them
        alive (in registers or JIT frame slots, and so in the frame size
        of every call_assembler into the trace); constants cost nothing
        (docs/architecture.md, "Dead stack slots")."""
        sp = jit.promote(self.sp)   # static per pc: one guard
        assert sp >= 0
        for i in range(sp, len(self.stack_w)):
            self.stack_w[i] = None

    @jit.unroll_safe
    def pop_n(self, n):
        """Pop n values, answered in push order."""
        sp = self.sp - n
        if sp < self.base or sp < 0:    # the second: an index >= 0
            raise stack_underflow(self)
        result = [None] * n
        for i in range(n):
            result[i] = self.stack_w[sp + i]
            self.stack_w[sp + i] = None     # dead slots hold None (pop)
        self.sp = sp
        return result

    # ---------------------------------------------------------- reflection

    def fetch(self, space, index):
        if index == 0:
            return self.code.w_method
        elif index == 1:
            return self.args_array(space)
        elif index == 2:
            return self.temps_array(space)
        elif index == 3:
            base = self.base
            size = max(len(self.stack_w) - base,
                       self.code.declared_stack_size)
            items_w = [space.w_nil] * size
            for i in range(base, self.sp):
                if self.stack_w[i] is not None:
                    items_w[i - base] = self.stack_w[i]
            return space.wrap_list(items_w)
        elif index == 4:
            return space.wrap_int(self.pc)
        elif index == 5:
            return space.wrap_int(self.sp - self.base)
        elif index == 6:
            return self.w_previous
        block = self.block
        if block is not None:
            if index == 7:
                return space.wrap_int(block.arg_location)
            elif index == 8:
                return block.w_creator
            elif index == 9:
                return space.wrap_int(block.start_pc)
        raise index_error(index)

    def store(self, space, index, w_value):
        raise PrimitiveFailed("a running context's slots are read-only in "
                              "this VM")
