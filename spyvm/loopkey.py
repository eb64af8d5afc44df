"""Loop keys: the blocks a loop runs, as part of the JIT's green key.

A loop in a library method (`Number>>to:do:`, a collection's `do:`) runs
whatever block its caller passed in.  Keyed by (pc, code) alone, every
caller shares one loop trace, specialised on the first block that got hot;
every other caller's block leaves that trace through a failing guard at
each iteration and runs in a bridge, where the loop optimisations do not
apply.  Which block owns the loop is then an accident of history:
tinyBenchmarks' sieve ran at 1.8G bytecodes/s after the benchmark suite and
3.1G alone (docs/architecture.md, "Loop keys").

So a context of a method that has a loop and sends `value...` (the Block
protocol: how a method runs a block) gets a key: the first block among
its arguments (for a block's own context: among its home method's
arguments), together with that block's own key, up to MAX_DEPTH blocks
deep.  `Indexed>>do:` runs its loop in `to:do:` with an inner block of its
own, the same for every caller; the second level tells callers' blocks
apart.  This is Self's customisation, applied to loops and keyed by block
instead of receiver class.
"""

from rpython.rlib import jit

from spyvm.code import code_location
from spyvm.context import W_Block
from spyvm.model import W_PointersObject
from spyvm.greenhash import next_green_hash

# blocks followed outwards from a context: to:do: <- do: <- the caller
MAX_DEPTH = 3


class LoopKey(object):
    """An interned (code, start pc, outer key): equal keys are identical,
    so the JIT's green-key lookup can compare them by identity."""
    _attrs_ = ['code', 'start_pc', 'parent', 'children', 'long_loop',
               'green_hash', 'bias_aborts']
    _immutable_fields_ = ['code', 'start_pc', 'parent', 'long_loop?',
                          'green_hash']

    @staticmethod
    def root():
        """The key of every context whose arguments hold no block, and the
        root of an intern table (ObjSpace.root_key)."""
        return LoopKey(None, -1, None)

    def __init__(self, code, start_pc, parent):
        self.code = code
        self.start_pc = start_pc
        self.parent = parent
        # CompiledCode -> [LoopKey]; never emptied, so it keeps the code of
        # blocks that ran in a keyed loop, also after their method changes;
        # the table belongs to one space and goes with it
        self.children = {}
        # the loop has run more than --short-loop backward branches in one
        # activation (Interpreter.unrolls_here)
        self.long_loop = False
        # what the JIT's counters hash this key by (greenhash.py)
        self.green_hash = next_green_hash()
        # its loop traces aborted for a rare branch (branchbias.py): every
        # caller's loop through to:do: has a budget of its own
        self.bias_aborts = 0

    @jit.elidable
    def child(self, code, start_pc):
        """The interned key of a block (code, start_pc) inside this one."""
        keys = self.children.get(code, None)
        if keys is None:
            keys = []
            self.children[code] = keys
        for key in keys:
            if key.start_pc == start_pc:
                return key
        key = LoopKey(code, start_pc, self)
        keys.append(key)
        return key


def is_long(code, key):
    """Whether the loop (code, key) has ever run past --short-loop
    backward branches in one activation; a constant in traces."""
    if key is None:
        return code.long_loop
    return key.long_loop


def mark_long(code, key):
    """Once set, traces that unrolled the loop are invalidated (the flags
    are quasi-immutable) and recompile without unrolling it."""
    if key is None:
        code.long_loop = True
    else:
        key.long_loop = True


def key_of(space, ctx):
    """The green key for running ctx; None for methods without a loop that
    runs a block (most methods): their traces are as before, and tracing
    them records none of the work below, which counts towards the trace
    length limit."""
    if not ctx.code.runs_blocks:
        return None
    if not space.config.loop_keys:
        return space.root_key   # the ablation: one key for every caller
    # a constant in traces: the blocks' codes are promoted below, and
    # `child` is elidable
    return jit.promote(_key_of_context(space.root_key, ctx))


@jit.unroll_safe
def _key_of_context(root, ctx):
    blocks = [None] * MAX_DEPTH
    n = 0
    w_block = _first_argument_block(ctx)
    while w_block is not None and n < MAX_DEPTH:
        blocks[n] = w_block
        n += 1
        w_block = _first_block(w_block.w_args)
    key = root
    i = n - 1
    while i >= 0:
        w_block = blocks[i]
        assert w_block is not None
        # the callee's portal guards on these anyway (context.block_context)
        key = key.child(jit.promote(w_block.code),
                        jit.promote(w_block.start_pc))
        i -= 1
    return key


@jit.unroll_safe
def _first_argument_block(ctx):
    """The first Block among ctx's arguments, read where they are (the
    frame or the Array), so the key makes no arguments Array."""
    if ctx.w_args is not None:
        return _first_block(ctx.w_args)
    for i in range(ctx.nargs):      # not the temporaries after them
        w_value = ctx.stack_w[i]
        if isinstance(w_value, W_Block):
            return w_value
    return None


@jit.unroll_safe
def _first_block(w_args):
    if not isinstance(w_args, W_PointersObject):
        return None
    # blocks are never stored as raw words, so the object slots have them
    # whatever the array's storage
    for i in range(w_args.size()):
        w_value = w_args.object_at(i)
        if isinstance(w_value, W_Block):
            return w_value
    return None


def describe(key):
    """For trace logs: `[Class>>sel@pc < ...]`, empty for no key."""
    if key is None or key.parent is None:
        return ""
    parts = []
    while key is not None and key.parent is not None:
        parts.append("%s@%d" % (code_location(key.code), key.start_pc))
        key = key.parent
    return " [" + " < ".join(parts) + "]"
