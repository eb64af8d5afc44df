"""What the traces contain: LLJitMixin runs the JIT untranslated on small
hand-assembled Smalltalk methods (tests/mini.py)."""

import pytest

from rpython.jit.metainterp.test.support import LLJitMixin

from spyvm import inlining
from spyvm.main import DEFAULT_TRACE_LIMIT
from spyvm.model import W_SmallInt
from tests.mini import *
from tests.jit.jitworld import ImageKind, JitWorld, Scenario
from tests.jit.ownimage import jit_fib


def counting_loop(body, literals=(), temps=2):
    """sum <- 0. i <- 0. [i < self] whileTrue: [BODY. i <- i + 1]. ^ sum

    temp 0 is sum, temp 1 is i; BODY must leave the stack as it found it.
    """
    head = assemble(push_const(0), assign_temp(0), pop(),
                    push_const(0), assign_temp(1), pop())
    loop_start = len(head)
    test = assemble(push_temp(1), push_self(), send_binary(0))
    step = assemble(push_temp(1), push_const(1), send_binary(2),
                    assign_temp(1), pop())
    exit_at = loop_start + len(test) + 2 + len(body) + len(step) + 2
    code = assemble(head, test, branch_if_false(exit_at), body, step,
                    branch(loop_start), push_temp(0), stack_return())
    assert code[exit_at:] == assemble(push_temp(0), stack_return())
    return code


def add_to_sum(*value_code):
    """sum <- sum + VALUE"""
    return assemble(push_temp(0), assemble(*value_code), send_binary(2),
                    assign_temp(0), pop())


class TestTraces(LLJitMixin):

    def run_loop(self, image, code, literals=(), n=100, temps=2):
        w_method = image.make_method(image.cls("Object"), "loop", code,
                                     literals, 8, temps)
        def main(n):
            w_result = image.run_method(w_method, W_SmallInt(n))
            assert isinstance(w_result, W_SmallInt)
            return w_result.value
        return self.meta_interp(main, [n], listops=True, backendopt=True,
                                inline=True)

    def test_smallint_loop_has_no_calls_and_no_allocations(self):
        image = mini_image()
        code = counting_loop(add_to_sum(push_temp(1)))
        assert self.run_loop(image, code) == sum(range(100))
        self.check_trace_count(1)
        self.check_resops(call_r=0, call_i=0, call_n=0, new=0,
                          new_with_vtable=0, new_array=0,
                          new_array_clear=0)
        # sum + i needs an overflow check; i + 1 does not (i < self)
        self.check_resops(int_add_ovf=2, guard_no_overflow=2)

    def test_monomorphic_send_is_inlined(self):
        image = mini_image()
        # SmallInt>>double  ^ self + self
        image.install("SmallInt", "double", assemble(
            push_self(), push_self(), send_binary(2), stack_return()))
        code = counting_loop(add_to_sum(push_temp(1), mark(1), send(0)))
        assert self.run_loop(image, code, ["double"]) == 2 * sum(range(100))
        self.check_trace_count(1)
        self.check_resops(call_r=0, call_i=0, call_n=0,
                          call_assembler_r=0, call_assembler_i=0,
                          new_with_vtable=0)

    def test_redefining_a_method_invalidates_the_trace(self):
        image = mini_image()
        image.install("SmallInt", "value", assemble(push_const(1),
                                                    stack_return()))
        w_two = image.make_method(image.cls("SmallInt"), "value",
                                  assemble(push_const(2), stack_return()))
        # sum <- sum + i value, run 20 times; halfway through, SmallInt's
        # methods Array is replaced, as compileMethod: does
        code = counting_loop(add_to_sum(push_temp(1), mark(1), send(0)))
        w_method = image.make_method(image.cls("Object"), "loop", code,
                                     ["value"], 8, 2)
        w_smallint = image.cls("SmallInt")
        space = image.space
        def main(n):
            total = 0
            for k in range(n):
                if k == n // 2:
                    w_smallint.store(space, 2, space.wrap_list([w_two]))
                w_result = image.run_method(w_method, W_SmallInt(30))
                assert isinstance(w_result, W_SmallInt)
                total += w_result.value
            return total
        res = self.meta_interp(main, [20], listops=True, backendopt=True,
                               inline=True)
        assert res == 10 * 30 + 10 * 60



def struct_field(container, name):
    """A field of an lltype instance struct, looking through `super`."""
    while container is not None:
        if name in container._TYPE._names:
            return getattr(container, name)
        if "super" not in container._TYPE._names:
            return None
        container = container.super
    return None


def list_items(ptr):
    """The items of an rtyped RPython list (resizable or fixed)."""
    container = ptr._obj
    if "items" in getattr(container._TYPE, "_names", ()):
        return [container.items[i] for i in range(container.length)]
    return [container.getitem(i) for i in range(container.getlength())]


def smalltalk_class_name(box):
    """The name of the Smalltalk class a constant in a trace is, or None
    (llgraph backend: constants point at the rtyped W_ objects)."""
    from rpython.jit.metainterp.history import ConstPtr
    if not isinstance(box, ConstPtr) or not box.value:
        return None
    container = box.value._obj.container._normalizedcontainer()
    slots = struct_field(container, "inst_slots_w")
    if not slots:
        return None
    items = list_items(slots)
    if not items or not items[0]:
        return None
    chars = struct_field(items[0]._obj._normalizedcontainer(), "inst_bytes")
    if not chars:
        return None
    return "".join(list_items(chars))


def function_name(box):
    """The name of the function a call operation's address constant is
    (llgraph backend: an AddressAsInt of the function pointer)."""
    value = getattr(box, "value", None)
    adr = getattr(value, "adr", None)
    if adr is not None:
        try:
            return str(adr.ptr._obj._name)
        except AttributeError:
            pass
    return "?"


# ------------------------------------------- Smalltalk programs, own image
#
# Every test below runs a scenario of one shared translation (jitworld.py):
# the images and settings are listed here, translated once, and each test
# runs its scenario in a forked child and checks what it collects there.

def megamorphic_shapes(classes):
    return ["JitM%d" % k for k in range(classes)]


def skewed_shapes():
    """16 classes, every other receiver a JitM0 (`^ 0 + 0`)."""
    names = []
    for k in range(1, 16):
        names += ["JitM0", "JitM%d" % k]
    return names


# one image for every scenario but one (each is a fresh copy of it in its
# child): the extra classes cost nothing to scenarios that do not send to
# them, and every image is a large constant of the shared translation
IMAGES = {
    "own": ImageKind(64),
    "64 sending classes": ImageKind(64, sending_callees=True),
}

# jitFib with trace_limit FIB_TRACE_LIMIT and inlining.py's recursion
# aborts allowed this many times per method (fib_with_recursion_aborts).
# The limit leaves the last quarter of a trace, which the rule keeps free
# of new jitFib activations, room for the returns up the inlined spine
# (at 800, since sends record fewer quasi-immutable reads, one trace
# reached the limit in them)
FIB_TRACE_LIMIT = 1000
ABORT_COUNTS = [0, 1000, inlining.DEFAULT_RECURSION_ABORTS]

SCENARIOS = [
    Scenario("jitCount", "own", "jitCount"),
    Scenario("jitArrays", "own", "jitArrays"),
    Scenario("jitTwoBlocks", "own", "jitTwoBlocks"),
    Scenario("jitFill", "own", "jitFill"),
    Scenario("jitCells", "own", "jitCells"),
    Scenario("jitBlockSum", "own", "jitBlockSum"),
    Scenario("jitFib", "own", "jitFib"),
    # every backward branch counts
    Scenario("jitNested", "own", "jitNested", short_loop=0),
    # warmed up untranslated: the interpreter's branch counts say that
    # `i < 5` is true in 5 of 1000 runs (branchbias.py)
    Scenario("jitRare", "own", "jitRare", warm_n=1000),
    Scenario("two classes", "own", "jitSum:", shapes=["JitA", "JitB"]),
    Scenario("JitB every 64th", "own", "jitSum:",
             shapes=["JitA"] * 63 + ["JitB"]),
    # megamorphic_run: --pic-size 4
    Scenario("8 classes", "own", "jitSum:",
             shapes=megamorphic_shapes(8), pic_size=4),
    Scenario("64 classes", "own", "jitSum:",
             shapes=megamorphic_shapes(64), pic_size=4),
    # the site is megamorphic and the global method cache knows every
    # callee (and max:) before the JIT starts
    Scenario("64 sending classes", "64 sending classes", "jitSum:",
             shapes=megamorphic_shapes(64), pic_size=4, warm_n=128),
    # skewed_run: --pic-size 8, a sample of 16 sends
    Scenario("skewed, 4 hot classes", "own", "jitSum:",
             shapes=skewed_shapes(), pic_size=8, hot_classes=4,
             hot_sample=16),
    Scenario("skewed, no hot classes", "own", "jitSum:",
             shapes=skewed_shapes(), pic_size=8, hot_classes=0,
             hot_sample=16),
    # --bounded-inlining with a trace_limit of 3000, jitCount first
    Scenario("bounded jitFib", "own", "jitFib", bounded=True,
             spy_trace_limit=3000, first=("jitCount", 300)),
    Scenario("jitTriangles, short loop 8", "own", "jitTriangles",
             short_loop=8, spy_trace_limit=DEFAULT_TRACE_LIMIT),
    Scenario("jitTriangles, short loop 0", "own", "jitTriangles",
             short_loop=0, spy_trace_limit=DEFAULT_TRACE_LIMIT),
    # every trace is past the unroll cap (0 % of trace_limit)
    Scenario("jitTriangles, past the cap", "own", "jitTriangles",
             short_loop=8, spy_trace_limit=DEFAULT_TRACE_LIMIT,
             unroll_share=0, unroll_small=0),
    Scenario("jitTriangles, small iterations past the cap", "own",
             "jitTriangles", short_loop=8,
             spy_trace_limit=DEFAULT_TRACE_LIMIT, unroll_share=0,
             unroll_small=200),
] + [Scenario("jitFib, %d recursion aborts" % count, "own", "jitFib",
              recursion_aborts=count, spy_trace_limit=FIB_TRACE_LIMIT,
              expect=jit_fib(12), answer_aborts=True)
     for count in ABORT_COUNTS]

_world = []


def world():
    """The shared translation, made by the first test that needs it (or
    its failure, raised again in every test)."""
    if not _world:
        try:
            _world.append(JitWorld(SCENARIOS, IMAGES))
        except Exception as e:
            _world.append(e)
    if isinstance(_world[0], Exception):
        raise _world[0]
    return _world[0]


class TestOwnImageTraces(LLJitMixin):

    def run(self, scenario, n, collect, **params):
        """Run `scenario` with argument n on the JIT (a forked child of the
        shared translation, jitworld.py) and answer collect(result), which
        runs in the child, where the traces are.  The child also records
        the operations of every bridge (the stats of LLJitMixin only keep
        loops)."""
        return world().run(scenario, n, collect, prepare=self.record_bridges,
                           **params)

    def record_bridges(self):
        from rpython.jit.metainterp import compile as jitcompile
        original = jitcompile.send_bridge_to_backend
        self.bridge_ops = bridge_ops = []
        self.bridge_operations = bridge_operations = []
        self.bridge_op_lists = bridge_op_lists = []
        self.bridge_traces = bridge_traces = []
        def recording(jitdriver_sd, metainterp_sd, faildescr, inputargs,
                      operations, *args):
            names = [op.getopname() for op in operations]
            bridge_ops.extend(names)
            bridge_op_lists.append(names)
            bridge_operations.extend(operations)
            bridge_traces.append(list(operations))
            return original(jitdriver_sd, metainterp_sd, faildescr,
                            inputargs, operations, *args)
        jitcompile.send_bridge_to_backend = recording

    def traces_with(self, opname):
        """How many loops and bridges contain `opname`."""
        from rpython.jit.metainterp.test.support import get_stats
        lists = list(self.bridge_op_lists)
        for loop in get_stats().get_all_loops():
            lists.append([op.getopname() for op in loop.operations])
        return len([names for names in lists if opname in names])

    def traces_calling(self, *fragments):
        """How many loops and bridges call a function whose name contains
        one of `fragments`."""
        from rpython.jit.metainterp.test.support import get_stats
        traces = list(self.bridge_traces)
        for loop in get_stats().get_all_loops():
            traces.append(loop.operations)
        return len([ops for ops in traces
                    if any(op.getopname().startswith("call") and
                           any(f in function_name(op.getarg(0))
                               for f in fragments)
                           for op in ops)])

    def all_ops(self):
        from rpython.jit.metainterp.test.support import get_stats
        names = list(self.bridge_ops)
        for loop in get_stats().get_all_loops():
            names.extend([op.getopname() for op in loop.operations])
        return names

    def all_operations(self):
        """Every operation object of the loops and bridges."""
        from rpython.jit.metainterp.test.support import get_stats
        ops = list(self.bridge_operations)
        for loop in get_stats().get_all_loops():
            ops.extend(loop.operations)
        return ops

    def guarded_class_names(self):
        """Names of the Smalltalk classes the traces guard_value on (a
        promoted receiver class is such a guard on a constant class)."""
        names = []
        for op in self.all_operations():
            if op.getopname() == "guard_value":
                name = smalltalk_class_name(op.getarg(1))
                if name is not None:
                    names.append(name)
        return names

    def called_functions(self):
        """Names of the functions that call_* operations of the traces
        call (their first argument is the function's address)."""
        names = []
        for op in self.all_operations():
            if op.getopname().startswith("call"):
                names.append(function_name(op.getarg(0)))
        return names

    def closing_loops(self):
        """The compiled loops that jump back to themselves.  Function
        entries that end in `finish` are left out: a short loop's first
        --short-loop iterations in an activation do not count for the JIT,
        so the block a loop runs can get hot as a function first."""
        from rpython.jit.metainterp.test.support import get_stats
        return [loop for loop in get_stats().get_all_loops()
                if loop.operations[-1].getopname() == "jump"]

    def check_the_loop(self, **counts):
        """check_simple_loop for the one loop that closes: the counts of
        the operations of its peeled iteration (after the last label)."""
        loops = self.closing_loops()
        assert len(loops) == 1
        operations = loops[0].operations
        names = [op.getopname() for op in operations]
        start = len(names) - names[::-1].index("label")
        body = names[start:]
        for name, expected in counts.items():
            # the failure shows the loop, operands and descriptors
            assert body.count(name) == expected, (
                name, body.count(name),
                "\n".join([str(op) for op in operations[start:]]))
        return body

    def test_to_do_loop_has_no_calls_and_no_allocations(self):
        def collect(result):
            assert result == 200 * 201 // 2
            # to:do:, Block>>value: and the block body all inlined into
            # one loop that works on raw words
            self.check_the_loop(call_r=0, call_i=0, call_n=0,
                                call_may_force_r=0, call_assembler_r=0,
                                new=0, new_with_vtable=0, new_array=0,
                                new_array_clear=0)
        self.run("jitCount", 200, collect)

    def test_new_builds_no_message_in_the_loop(self):
        def collect(result):
            assert result == sum(i % 4 + 1 for i in range(1, 201))
            # `Array new: n` checks n against the memory ceiling; the
            # message of that error ("new: n") used to be formatted on
            # every call, a call to ll_int2dec and a new string per
            # allocation in traces
            body = self.check_the_loop(newstr=0, call_r=0)
            assert "new_array_clear" in body or "new_array" in body
        self.run("jitArrays", 200, collect)

    def test_each_block_gets_its_own_to_do_loop(self):
        def collect(result):
            assert result == 2 * (300 * 301 // 2) + 300
            # one to:do: loop per block, each with its block inlined; with
            # (pc, code) alone as the key the second block ran in a bridge
            # off the first block's loop (loopkey.py)
            loops = self.closing_loops()
            assert len(loops) == 2
            for loop in loops:
                names = [op.getopname() for op in loop.operations]
                assert names.count("label") == 2  # preamble, peeled loop
                for name in names:
                    assert not name.startswith("call")
                    assert not name.startswith("new")
        self.run("jitTwoBlocks", 300, collect)

    def test_block_storing_objects_stays_virtual(self):
        def collect(result):
            assert result == 300
            # the block's context and stack must be virtual: its code is
            # promoted before they are allocated.  The store into flags
            # must not make the trace read the home's temporaries again
            # (flags, count): they live in lists of types of their own
            # (framearray.py), so the loop reads no array item at all
            self.check_the_loop(call_r=0, call_i=0, call_n=0,
                                call_may_force_r=0, new=0, new_with_vtable=0,
                                new_array=0, new_array_clear=0,
                                getarrayitem_gc_r=0, getarrayitem_gc_i=0)
        self.run("jitFill", 300, collect)

    def test_polymorphic_site_guards_each_class(self):
        def collect(result):
            from rpython.jit.metainterp.test.support import get_stats
            assert result == 600
            print "compiled traces:", get_stats().compiled_count
            # a loop and a few bridges (measured: 12), the two classes
            # guarded, both callees inlined: the loops make no residual
            # sends or lookups (their only calls are the integer-division
            # helper of \\; bridges may call, e.g. to record a new class
            # in the inline cache)
            self.check_trace_count_at_most(16)
            self.check_resops(call_r=0, call_may_force_r=0,
                              call_may_force_i=0)
            # the receiver class is promoted: a guard on each of the two
            # classes (the second one's in a bridge)
            return self.guarded_class_names()
        guarded = self.run("two classes", 400, collect)
        print "guarded classes:", guarded
        assert "JitA" in guarded and "JitB" in guarded

    def test_slot_reads_of_a_known_class_test_no_frame_storage(self):
        def collect(result):
            assert result == sum(i % 3 + 1 for i in range(1, 301))
            # each iteration reads the slot of another Array, whose exact
            # class the send guards: only a frame Array (framearray.py)
            # can have no slots list, and the class tells it is none, so
            # the loop has no guard_nonnull on a list (model.py,
            # frame_storage)
            body = self.check_the_loop()
            assert "getarrayitem_gc_r" in body
            return body.count("guard_nonnull")
        assert self.run("jitCells", 300, collect) == 0

    def test_a_loop_is_not_traced_on_its_rare_branch(self):
        # the loop gets hot in its first iterations, which take the rare
        # way of `i < 5`; that trace is aborted and the loop traced again
        # on the common way, so the compiled loop adds 1, not 1000
        def collect(result):
            from rpython.jit.metainterp.resoperation import rop
            assert result == 5 * 1000 + 395
            loops = self.closing_loops()
            assert loops
            constants = [op.getarg(1).getint() for loop in loops
                         for op in loop.operations
                         if op.getopnum() in (rop.INT_ADD, rop.INT_ADD_OVF)
                         and op.getarg(1).is_constant()]
            return constants
        constants = self.run("jitRare", 400, collect)
        print "constants added in the loops:", constants
        assert 1 in constants and 1000 not in constants

    def test_sends_trace_no_quasi_immutable_read_of_switches(self):
        # every quasi-immutable read is recorded with a guard while
        # tracing (the optimizer removes the repeats only later): the
        # command line's switches (Config) and the profiler's flag are
        # read by traces as immutable constants, and a promoted class's
        # ClassInfo through an elidable call, not through its `shadow`
        from rpython.jit.metainterp import history
        from rpython.jit.metainterp.resoperation import rop
        from spyvm.objspace import Config
        switches = set("inst_" + name for name in Config._attrs_)
        def prepare():
            self.record_bridges()
            original = history.History.record
            self.quasi_reads = reads = []
            def record(self_, opnum, argboxes, value, descr=None):
                if opnum == rop.QUASIIMMUT_FIELD:
                    reads.append((descr.fielddescr.fieldname,
                                  isinstance(argboxes[0], history.Const)))
                return original(self_, opnum, argboxes, value, descr)
            history.History.record = record
        def collect(result):
            assert result == 600
            return self.quasi_reads
        reads = world().run("two classes", 400, collect, prepare=prepare)
        names = set(name for name, _ in reads)
        print "quasi-immutable reads recorded:", len(reads), sorted(names)
        assert "inst_version" in names          # the lookups' guards
        assert not names & switches
        assert "inst_on" not in names           # profiler.state
        assert ("inst_shadow", True) not in reads

    def test_a_class_new_to_a_site_invalidates_no_trace(self):
        # the loop is compiled while the site has seen JitA only; JitB
        # comes later (every 64th send) and is recorded by a bridge.  The
        # trace read the site's classes through an elidable lookup, so
        # recording JitB invalidates nothing (it used to invalidate every
        # trace through the site: classes_w was quasi-immutable)
        n = 400
        def collect(result):
            from rpython.jit.metainterp.test.support import get_stats
            return (result, self.guarded_class_names(),
                    get_stats().invalidated_token_numbers)
        result, guarded, invalidated = self.run("JitB every 64th", n, collect)
        assert result == sum([2 if i % 64 == 63 else 1
                              for i in range(1, n + 1)])
        assert "JitA" in guarded and "JitB" in guarded
        assert invalidated == set()

    def megamorphic_run(self, scenario, classes):
        """128 sends from jitSum:'s site to `classes` receiver classes
        with --pic-size 4: the number of traces through the site, the
        functions the traces call, the classes they guard on and the
        names of all their operations."""
        n = 128
        def collect(result):
            # jitSum: sends `weight` to shapes at: i \\ size + 1, which
            # is k
            assert result == sum([i % classes for i in range(1, n + 1)])
            # the megamorphic call allocates nothing (a SmallInt answer
            # comes unboxed): the backend makes it as a call that cannot
            # collect
            sends = [op for op in self.all_operations()
                     if op.getopname().startswith("call") and
                     "megamorphic_send" in function_name(op.getarg(0))]
            assert sends
            for op in sends:
                assert not op.getdescr().get_extra_info().check_can_collect()
            return (self.traces_calling("megamorphic_send",
                                        "invoke_residual"),
                    self.called_functions(), self.guarded_class_names(),
                    self.all_ops())
        return self.run(scenario, n, collect)

    def test_megamorphic_site_stays_bounded(self):
        # past --pic-size the site stops promoting the receiver class: one
        # residual call_r, pureleaf.megamorphic_send, probes the method
        # cache and answers a pure leaf callee's value (`^ k + 0`); it
        # cannot force the caller's context, nor collect.  Any other
        # callee runs through Interpreter.invoke_residual
        # (call_may_force_r, the interpreter or its compiled code); never
        # call_assembler.  The traces through the site do not multiply
        # with the classes
        count8, called8, guarded8, ops8 = self.megamorphic_run(
            "8 classes", 8)
        count64, called64, guarded64, ops64 = self.megamorphic_run(
            "64 classes", 64)
        print "traces through the site: 8 classes %d, 64 classes %d" % (
            count8, count64)
        for called, guarded, ops in ((called8, guarded8, ops8),
                                     (called64, guarded64, ops64)):
            assert any("megamorphic_send" in name for name in called), called
            assert any("invoke_residual" in name for name in called), called
            # a miss of megamorphic_send's cache probe looks up the
            # ordinary way, after it; never instead of it
            assert called.count("megamorphic_send") >= \
                called.count("MethodCache.lookup"), called
            assert "call_assembler_r" not in ops
            # past the cut-off no trace guards on the receiver classes (a
            # trace made before the site turned megamorphic may have)
            assert len([n for n in guarded if n.startswith("JitM")]) <= 4
        # measured: 5 traces through the site with 8 classes and with 64
        # (pure and other callees part at a guard); with --short-loop 7
        # and 5 (jitSum:'s block can get a function trace of its own
        # before the loop is hot); specialising would make one bridge per
        # class
        assert 1 <= count8 <= 8
        assert count64 <= count8 + 1

    def test_megamorphic_callees_that_send_need_no_context(self):
        # callees `^ (k max: 0) + 0` are pure methods that send max: to a
        # SmallInt (pureleaf.py): megamorphic_send runs them, max:
        # included, without a context.  Once the method cache knows them,
        # no trace enters a callee through invoke_residual (with a
        # temporary assigned in `weight`, they all do, as the test above
        # shows), and the call still cannot collect
        count, called, guarded, ops = self.megamorphic_run(
            "64 sending classes", 64)
        assert any("megamorphic_send" in name for name in called), called
        assert not any("invoke_residual" in name for name in called), called
        assert "call_assembler_r" not in ops
        assert 1 <= count <= 8

    def compared_class_names(self):
        """Names of the Smalltalk classes the traces compare a pointer
        with (a megamorphic site's hot-class check, lookup.hot_class)."""
        names = []
        for op in self.all_operations():
            if op.getopname() in ("ptr_eq", "instance_ptr_eq", "ptr_ne",
                                  "instance_ptr_ne"):
                for arg in op.getarglist():
                    name = smalltalk_class_name(arg)
                    if name is not None:
                        names.append(name)
        return names

    def skewed_run(self, scenario):
        """jitSum: over 16 classes with --pic-size 8, every other receiver
        a JitM0 (`^ 0 + 0`).  The site turns megamorphic at its 16th
        send and samples the next 16 (pic.py; here mostly in traces, which
        the sample's end invalidates): JitM0 takes half of them, every
        other class at most one."""
        names = skewed_shapes()
        weights = [int(name[4:]) for name in names]
        n = 200
        def collect(result):
            assert result == sum([weights[i % len(names)]
                                  for i in range(1, n + 1)])
            return (self.compared_class_names(),
                    self.traces_calling("megamorphic_send",
                                        "invoke_residual"))
        return self.run(scenario, n, collect)

    def test_a_hot_class_stays_specialised_at_a_megamorphic_site(self):
        # type feedback (pic.py): JitM0 took more than 1/8 of the site's
        # sampled sends, so after the cut-off the traces still check for
        # it (one pointer comparison) and inline its callee; the other
        # classes take the megamorphic path.  With --hot-classes 0 no
        # trace compares the receiver's class with JitM0
        compared, megamorphic_traces = self.skewed_run(
            "skewed, 4 hot classes")
        print "compared:", compared, "megamorphic traces:", megamorphic_traces
        assert "JitM0" in compared
        assert set(compared) == set(["JitM0"])
        assert megamorphic_traces >= 1
        compared0, megamorphic_traces0 = self.skewed_run(
            "skewed, no hot classes")
        print "without:", compared0, megamorphic_traces0
        assert "JitM0" not in compared0
        assert megamorphic_traces0 >= 1

    def test_block_value_send_enters_one_portal_frame(self):
        def collect(result):
            assert result == sum(range(1, 201))
            # `blk value: i` runs the block directly: Block>>value:'s
            # method is not a frame of its own (its context would be
            # abandoned at once by primitive 8), so the JIT's
            # trace-too-long heuristic can never pick it as the function
            # to stop inlining.  The peeled loop (after its last label)
            # runs one iteration: one portal frame (the block body), not
            # two (Block>>value: + body)
            self.check_the_loop(call_r=0, call_may_force_r=0,
                                call_assembler_r=0, new_with_vtable=0,
                                enter_portal_frame=1)
        self.run("jitBlockSum", 200, collect)

    def test_bounded_inlining_calls_compiled_code_past_the_budget(self):
        """--bounded-inlining (inlining.py): once a trace is half of
        trace_limit long, later activations in it call compiled code.
        Here RPython alone would inline the whole tree (no trace_limit,
        max_unroll_recursion 200) and make no call_assembler at all."""
        def collect(result):
            from rpython.jit.metainterp.test.support import get_stats
            assert result == jit_fib(12)
            assert get_stats().aborted_count == 0
            ops = self.all_ops()
            assert ops.count("call_assembler_r") >= 2
            # calls past the budget enter compiled code, not the portal
            assert "call_may_force_r" not in ops
        self.run("bounded jitFib", 12, collect,
                 max_unroll_recursion=inlining.MAX_UNROLL_RECURSION)

    def short_loop_run(self, scenario):
        """jitTriangles with spy's trace_limit and the scenario's
        --short-loop; answer whether the outer loop's traces (each loop
        and bridge that inlines or calls an activation) call compiled
        code and whether they make contexts, trace by trace."""
        from spyvm.main import DEFAULT_TRACE_LIMIT
        expected = sum([k * (k + 1) // 2 for k in [i % 4 for i in range(300)]])
        def collect(result):
            from rpython.jit.metainterp.test.support import get_stats
            assert result == expected
            traces = list(self.bridge_traces)
            for loop in get_stats().get_all_loops():
                traces.append(loop.operations)
            return [("call_assembler_r" in [op.getopname() for op in ops],
                     len(self.contexts_made(ops)))
                    for ops in traces
                    if any(op.getopname() in ("enter_portal_frame",
                                              "call_assembler_r")
                           for op in ops)]
        return self.run(scenario, 300, collect,
                        trace_limit=DEFAULT_TRACE_LIMIT)

    def contexts_made(self, ops):
        return [op for op in ops if op.getopname() == "new_with_vtable"
                and "W_Context" in repr(op.getdescr())]

    def test_short_loop_of_an_inlined_callee_is_unrolled(self):
        """jitTriangle's loop runs at most 3 times per activation: with
        --short-loop 8 the outer loop's trace unrolls it where it inlines
        jitTriangle, so it calls no compiled code and makes no context."""
        traces = self.short_loop_run("jitTriangles, short loop 8")
        assert traces
        assert traces == [(False, 0)] * len(traces)

    def test_without_short_loops_an_inlined_loop_is_called(self):
        """The behaviour --short-loop 0 keeps (RPython's): once the inner
        loop has compiled code, the outer trace calls it, and the call
        needs the callee's context in the heap."""
        traces = self.short_loop_run("jitTriangles, short loop 0")
        assert any(calls and contexts for calls, contexts in traces)

    def test_past_the_unroll_cap_an_inlined_loop_is_called(self):
        """--unroll-cap 0 puts every trace past the cap: with
        --unroll-small 0, jitTriangle's short loop is called as compiled
        code, with its context in the heap, as with --short-loop 0."""
        traces = self.short_loop_run("jitTriangles, past the cap")
        assert any(calls and contexts for calls, contexts in traces)

    def test_small_iterations_are_unrolled_past_the_cap(self):
        """With --unroll-small 200, an iteration of jitTriangle's loop
        (about 30 recorded operations) is small enough to be unrolled past
        the cap: no trace calls compiled code or makes a context."""
        traces = self.short_loop_run(
            "jitTriangles, small iterations past the cap")
        assert traces
        assert traces == [(False, 0)] * len(traces)

    def fib_with_recursion_aborts(self, max_aborts):
        """`12 jitFib` with trace_limit FIB_TRACE_LIMIT and inlining.py's
        recursion aborts allowed `max_aborts` times per method; answers how
        many traces those aborted (the translated copy of jitFib's code
        counted them), how many traces were aborted and the methods RPython
        marked for good.  A trace of jitFib inlines a few dozen operations
        per call, so a trace that starts a few levels up grows too long."""
        def collect(aborts):
            from rpython.jit.metainterp.test.support import get_stats
            stats = get_stats()
            return aborts, stats.aborted_count, len(stats.aborted_keys)
        return self.run("jitFib, %d recursion aborts" % max_aborts, 12,
                        collect, trace_limit=FIB_TRACE_LIMIT)

    def test_a_recursion_too_long_for_a_trace_is_marked_by_rpython(self):
        """Without spy's recursion aborts, RPython aborts the trace at
        trace_limit and marks the method it inlined most, jitFib, for good
        (stats.aborted_keys lists what it marked)."""
        aborts, aborted, marked = self.fib_with_recursion_aborts(0)
        assert aborts == 0
        assert marked >= 1

    def test_a_recursion_too_long_for_a_trace_is_aborted_unmarked(self):
        """inlining.py aborts a trace past 3/4 of trace_limit that is about
        to inline jitFib once more: nothing is marked, and the recursion is
        traced again on later calls.  Here every trace that starts a few
        levels up gets there, so aborts are never used up."""
        aborts, aborted, marked = self.fib_with_recursion_aborts(1000)
        assert aborts >= 1
        assert aborted == aborts
        assert marked == 0

    def test_recursion_aborts_are_bounded_per_method(self):
        """After --recursion-aborts aborts RPython's rule applies again:
        the next trace that grows too long marks jitFib."""
        aborts, aborted, marked = self.fib_with_recursion_aborts(
            inlining.DEFAULT_RECURSION_ABORTS)
        assert aborts == inlining.DEFAULT_RECURSION_ABORTS
        assert marked >= 1

    def test_recursion_uses_call_assembler(self):
        def collect(result):
            assert result == jit_fib(12)
            return self.all_ops().count("call_assembler_r")
        # after a few inlined levels the recursive sends call compiled code
        assert self.run("jitFib", 12, collect) >= 2

    def test_a_base_case_constant_is_answered_without_a_box(self):
        """jitFib's base case `^ 1` answers the space's shared box for 1
        (objspace.py): every call through call_assembler that ends at a
        leaf returns a constant, and allocates no SmallInt for it."""
        def collect(result):
            from rpython.jit.metainterp.history import Const
            assert result == jit_fib(10)
            return [isinstance(op.getarg(0), Const)
                    for op in self.all_operations()
                    if op.getopname() == "finish"]
        assert any(self.run("jitFib", 10, collect, max_unroll_recursion=1))

    def test_a_call_through_call_assembler_passes_no_argument_array(self):
        """With max_unroll_recursion=1 every recursive jitFib is a
        call_assembler: its context must exist in the heap, but the
        receiver and argument are in the context's frame
        (context.method_context), so the context handed to compiled code
        has no arguments Array (w_args null)."""
        def collect(result):
            from rpython.jit.metainterp.history import Const
            from rpython.jit.metainterp.test.support import get_stats
            assert result == jit_fib(10)
            traces = list(self.bridge_traces)
            for loop in get_stats().get_all_loops():
                traces.append(loop.operations)
            calls = 0
            for ops in traces:
                for op in ops:
                    if op.getopname() != "call_assembler_r":
                        continue
                    calls += 1
                    w_args_stores = [
                        store.getarg(1) for store in ops
                        if store.getopname() == "setfield_gc"
                        and store.getarg(0) is op.getarg(0)
                        and "'inst_w_args'" in repr(store.getdescr())]
                    assert len(w_args_stores) == 1
                    assert isinstance(w_args_stores[0], Const)
                    assert not w_args_stores[0].nonnull()
            return calls
        assert self.run("jitFib", 10, collect, max_unroll_recursion=1) >= 2

    def test_arguments_go_to_the_send_without_the_stack(self):
        """MarkArguments hands its Array straight to the SendMessage that
        follows (Interpreter.send_marked).  When a call_assembler has put
        an inlined caller's context in the heap (its callee's sender link
        forces it), the caller's later sends still build no Array: had the
        Array been pushed on that context's heap stack, it would have
        escaped there."""
        def collect(result):
            assert result == jit_fib(12)
            ops = self.all_operations()
            assert "call_assembler_r" in [op.getopname() for op in ops]
            forced_contexts = [
                op for op in ops if op.getopname() == "new_with_vtable"
                and "W_Context" in repr(op.getdescr())]
            arrays = [op for op in ops if op.getopname() == "new_with_vtable"
                      and "W_PointersObject" in repr(op.getdescr())]
            return len(forced_contexts), len(arrays)
        forced_contexts, arrays = self.run("jitFib", 12, collect,
                                           max_unroll_recursion=3)
        assert forced_contexts
        assert arrays == 0

    def test_a_loop_traced_on_its_way_out_is_traced_again(self):
        """jitNested's inner loop runs three times per pass, and the tests'
        threshold is 3: its counter crosses on the last backward branch of
        the first pass, so the trace would start with the loop's exit and
        close after the outer loop's increment.  Peeling that trace proves
        its exit guard always fails, and RPython compiles the preamble
        jumping to itself (one label).  rootloop.py aborts that trace; the
        loop is traced again in mid-run and unrolled (two labels).  A trace
        with one label that jumps into another loop's peeled iteration is
        fine: it is the outer loop entering the inner one."""
        def collect(result):
            from rpython.jit.metainterp.test.support import get_stats
            assert result == 40 * 3
            loops = get_stats().get_all_loops()
            labels, self_jumps = [], []
            for loop in loops:
                ops = loop.operations
                own = [op for op in ops if op.getopname() == "label"]
                labels.append(len(own))
                last = ops[-1]
                # a preamble that jumps to its own only label: the jump
                # passes what the label takes (the descriptors of these
                # logged copies cannot be compared)
                self_jumps.append(len(own) == 1 and
                                  last.getopname() == "jump" and
                                  last.numargs() == own[0].numargs())
            text = "\n\n".join(["\n".join([str(op) for op in loop.operations])
                                for loop in loops])
            return get_stats().aborted_count, labels, self_jumps, text
        aborted, labels, self_jumps, text = self.run("jitNested", 40, collect)
        assert aborted == 1, text
        assert 2 in labels, text
        assert True not in self_jumps, text

    def test_guards_after_a_call_keep_no_dead_stack_slot(self):
        """A trace reads its context's stack slots from the heap at entry;
        those above sp hold None (W_Context.pop), and the trace's first
        bytecode says so (W_Context.forget_dead_slots).  Without it every
        guard of jitFib's traces carried the loads of its empty slots to
        the end, alive in registers or JIT frame slots across each
        call_assembler.  Guards before the trace's first side effect may
        still carry them: they share the resume data of its start."""
        def collect(result):
            from rpython.jit.metainterp.history import Const
            from rpython.jit.metainterp.test.support import get_stats
            assert result == jit_fib(10)
            checked, dead_kept = 0, []
            for loop in get_stats().get_all_loops():
                ops = loop.operations
                stacks = [op for op in ops
                          if op.getopname() == "getfield_gc_r"
                          and "inst_stack_w" in repr(op.getdescr())
                          and op.getarg(0) in loop.inputargs]
                # jitFib's receiver is slot 0, its stack starts at 1
                dead = [op for op in ops
                        if op.getopname() == "getarrayitem_gc_r"
                        and op.getarg(0) in stacks
                        and isinstance(op.getarg(1), Const)
                        and op.getarg(1).getint() >= 1]
                called = False
                for op in ops:
                    if op.getopname() == "call_assembler_r":
                        called = True
                    elif called and op.is_guard():
                        checked += 1
                        dead_kept.extend([box for box in op.getfailargs()
                                          if box in dead])
            return checked, len(dead_kept)
        checked, dead_kept = self.run("jitFib", 10, collect,
                                      max_unroll_recursion=1)
        assert checked > 0
        assert dead_kept == 0
