"""One JIT translation shared by the trace tests on spy's own image.

LLJitMixin.meta_interp annotates, rtypes and JIT-transforms the whole
interpreter on every call: about 45 s of a small test's 47 here, and the
JIT tests were most of CI's time.  A JitWorld does that once per pytest
run, for one entry point `main(scenario, n)` whose scenarios (own images
and their settings) are prebuilt constants of that translation.  A test
then forks: the child runs its scenario on the JIT from the pristine
translated state, collects what the test asks about the traces, and sends
it back through a pipe.  No test sees another's traces, counters or
caches, as with a meta_interp of its own."""

import cPickle
import os
import sys
import traceback

from spyvm import inlining
from spyvm.model import W_SmallInt
from spyvm.objspace import Config

from tests.jit.ownimage import OwnImage

_DEFAULTS = Config()


class Scenario(object):
    """`n selector: args` sent to a SmallInt in one of the images, with the
    settings it runs under (set by main before the send, since the images
    are constants of the translation and cannot change after it)."""

    def __init__(self, name, image, selector, shapes=None,
                 pic_size=_DEFAULTS.pic_size,
                 hot_classes=_DEFAULTS.hot_classes,
                 hot_sample=_DEFAULTS.hot_sample,
                 short_loop=_DEFAULTS.short_loop,
                 spy_trace_limit=6000, recursion_aborts=None,
                 bounded=False, first=None, expect=-1,
                 answer_aborts=False, warm_n=0,
                 unroll_share=inlining.DEFAULT_UNROLL_SHARE,
                 unroll_small=inlining.DEFAULT_UNROLL_SMALL):
        self.name = name
        self.image_key = image        # images sharing a key share an image
        self.selector = selector
        self.shapes = shapes          # receiver class names for jitSum:
        self.pic_size = pic_size
        self.hot_classes = hot_classes
        self.hot_sample = hot_sample
        self.short_loop = short_loop
        self.spy_trace_limit = spy_trace_limit  # inlining.set_trace_limit
        if recursion_aborts is None:
            recursion_aborts = inlining.DEFAULT_RECURSION_ABORTS
        self.recursion_aborts = recursion_aborts
        self.bounded = bounded        # inlining.enable(): --bounded-inlining
        self.unroll_share = unroll_share    # --unroll-cap
        self.unroll_small = unroll_small    # --unroll-small
        # (selector, n): a send before the measured one, in the same run
        self.first_selector, self.first_n = first or ("", 0)
        self.expect = expect          # checked by main when >= 0
        # main answers jitFib's recursion_aborts (inlining.py counts them
        # on the translated copy of its code) instead of the send's value
        self.answer_aborts = answer_aborts
        # n > 0: run the scenario once with this n, untranslated, before
        # the translation, so the image's caches know the callees before
        # the JIT starts
        self.warm_n = warm_n
        self.image = None
        self.args_w = []
        self.w_code = None

    def configure(self):
        """Put the settings in effect (RPython: main runs it)."""
        config = self.image.space.config
        config.pic_size = self.pic_size
        config.hot_classes = self.hot_classes
        config.hot_sample = self.hot_sample
        config.short_loop = self.short_loop
        inlining.TRACE.enabled = self.bounded
        inlining.set_unrolling(self.unroll_share, self.unroll_small,
                               self.spy_trace_limit)
        inlining.set_recursion_aborts(self.recursion_aborts)

    def run(self, n):
        """RPython: the scenario's sends; main answers this."""
        self.configure()
        image = self.image
        if self.first_selector:
            image.send(W_SmallInt(self.first_n), self.first_selector, [])
        w = image.send(W_SmallInt(n), self.selector, self.args_w)
        assert isinstance(w, W_SmallInt)
        if self.expect >= 0:
            assert w.value == self.expect
        if self.answer_aborts:
            return self.w_code.recursion_aborts
        return w.value


class ImageKind(object):
    def __init__(self, megamorphic_classes=0, sending_callees=False):
        self.megamorphic_classes = megamorphic_classes
        self.sending_callees = sending_callees


class ChildFailed(AssertionError):
    """The forked run of a scenario raised; carries the child's traceback."""


class JitWorld(object):
    """The translated interpreter and its JIT, made once for `scenarios`."""

    def __init__(self, scenarios, image_kinds):
        from spyvm.lookup import classinfo_of
        images = {}
        for key, kind in image_kinds.items():
            images[key] = OwnImage(kind.megamorphic_classes,
                                   kind.sending_callees)
        self.index = {}
        for i, scenario in enumerate(scenarios):
            image = images[scenario.image_key]
            scenario.image = image
            if scenario.shapes is not None:
                scenario.args_w = [image.instances(scenario.shapes)]
            if scenario.answer_aborts:
                space = image.space
                scenario.w_code = classinfo_of(
                    space, space.w_SmallInt).lookup(scenario.selector)
            self.index[scenario.name] = i
        for scenario in scenarios:
            if scenario.warm_n > 0:
                scenario.run(scenario.warm_n)
        all_scenarios = list(scenarios)

        def main(k, n):
            return all_scenarios[k].run(n)
        from rpython.jit.metainterp import pyjitpl
        self.interp, self.graph = translate(main)
        self.warmrunnerdesc = pyjitpl._warmrunnerdesc

    def run(self, name, n, collect, prepare=None, trace_limit=sys.maxint,
            max_unroll_recursion=7):
        """Run scenario `name` with argument n on the JIT in a forked child
        (after prepare(), there too); answer collect(result) as computed in
        the child, which can read the child's traces.  A failure in the
        child fails the caller with the child's traceback.  trace_limit
        and max_unroll_recursion are the JIT parameters meta_interp takes;
        their defaults are its defaults."""
        k = self.index[name]
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:                                   # the child
            os.close(read_fd)
            status = 2
            try:
                try:
                    quiet_jit_logs()
                    if prepare is not None:
                        prepare()
                    for jd in self.warmrunnerdesc.jitdrivers_sd:
                        jd.warmstate.set_param_trace_limit(trace_limit)
                        jd.warmstate.set_param_max_unroll_recursion(
                            max_unroll_recursion)
                    result = self.interp.eval_graph(self.graph, [k, n])
                    report = ("ok", collect(result))
                    status = 0
                except BaseException:
                    report = ("failed", traceback.format_exc())
                    status = 1
                data = cPickle.dumps(report, 2)
                while data:
                    data = data[os.write(write_fd, data):]
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        os.close(write_fd)
        chunks = []
        try:
            while True:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(read_fd)
            _, status = os.waitpid(pid, 0)
        if not chunks:
            raise ChildFailed("scenario %s: the child process died (wait "
                              "status %d) without a report" % (name, status))
        outcome, value = cPickle.loads("".join(chunks))
        if outcome != "ok":
            raise ChildFailed("scenario %s failed in the child process:\n%s"
                              % (name, value))
        return value


def quiet_jit_logs():
    """Untranslated, RPython's debug prints are always on: the JIT logs
    every trace, and every debug_merge_point asks the interpreter's
    get_printable_location for its location, run on the llinterpreter
    (0.13 s a call).  That logging was most of a test's time (jitArrays:
    250 of 314 s); the traces are the same without it."""
    from rpython.jit.metainterp import (compile, jitprof, logger, pyjitpl,
                                        warmstate)
    from rpython.jit.metainterp.optimizeopt import unroll
    for module in (compile, jitprof, logger, pyjitpl, warmstate, unroll):
        for name in ("have_debug_prints", "have_debug_prints_for"):
            if hasattr(module, name):
                setattr(module, name, lambda *args: False)


def translate(main):
    """What LLJitMixin.meta_interp(main, [0, 0], listops=True,
    backendopt=True, inline=True) does before it runs main."""
    from rpython.jit.backend.llgraph import runner
    from rpython.jit.codewriter import codewriter
    from rpython.jit.metainterp.warmspot import jittify_and_run
    from rpython.rtyper.test.test_llinterp import get_interpreter, clear_tcache
    old = codewriter.CodeWriter.debug
    codewriter.CodeWriter.debug = True
    try:
        interp, graph = get_interpreter(main, [0, 0], backendopt=False)
        clear_tcache()
        return jittify_and_run(interp, graph, [0, 0],
                               graph_and_interp_only=True, backendopt=True,
                               inline=True, listops=True,
                               CPUClass=runner.LLGraphCPU)
    finally:
        codewriter.CodeWriter.debug = old
