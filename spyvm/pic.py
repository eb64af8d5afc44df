"""Polymorphic inline caches, one per send site.

In the interpreter a site is the fast dispatch path: a short list of
(class, code) entries checked by identity, refilled from the class's lookup
cache on a miss.  It records up to `pic_size` receiver classes with counts
and then turns megamorphic.

In traces the site decides specialisation: while it is not megamorphic the
receiver class is promoted (one guard per class, callee inlined); once it is
megamorphic the class stays a variable and the lookup is a residual call
into the global method cache (lookup.MethodCache).
`classes_w` and `megamorphic` are quasi-immutable, so a site turning
megamorphic invalidates the traces that specialised on it.
"""

from rpython.rlib import jit

SEND = 0
SUPER = 1
BINARY = 2
KIND_NAMES = ['send', 'super', 'binary']

# Classes a site specialises on before it turns megamorphic.  A trace
# dispatches over them with a chain of class guards, which stays cheaper
# than the megamorphic path (a residual call that enters the callee through
# the portal) up to about 32 classes: docs/pics.md has the sweep.
DEFAULT_PIC_SIZE = 32
MAX_PIC_SIZE = 256


class SendSite(object):
    _attrs_ = ['selector', 'w_selector', 'kind', 'location', 'classes_w',
               'codes', 'counts', 'megamorphic', 'megamorphic_sends', 'epoch']
    # classes_w is replaced, never changed in place: traces read its items
    # as constants, so a send to a known class costs no PIC bookkeeping
    _immutable_fields_ = ['selector', 'w_selector', 'kind', 'location',
                          'classes_w?[*]', 'megamorphic?']

    def __init__(self, selector, w_selector, kind, location):
        self.selector = selector
        self.w_selector = w_selector
        self.kind = kind
        self.location = location    # "Class>>selector @pc", for --stats
        self.classes_w = []
        self.codes = []
        self.counts = []
        self.megamorphic = False
        self.megamorphic_sends = 0
        self.epoch = 0

    # ------------------------------------------------------------ dispatch

    def lookup(self, space, w_class):
        """The code to run for a receiver of class w_class (None: DNU)."""
        if jit.we_are_jitted():
            return self._lookup_in_trace(space, w_class)
        return self._lookup_interpreted(space, w_class)

    @jit.dont_look_inside
    def _lookup_interpreted(self, space, w_class):
        from spyvm.lookup import classinfo_of
        config = space.config
        if not config.pic_enabled:
            return classinfo_of(space, w_class).lookup(self.selector)
        if self.epoch != space.pic_epoch:
            self.reset(space.pic_epoch)
        if self.megamorphic:
            self.megamorphic_sends += 1
            return space.method_cache.lookup(space, w_class, self.selector)
        classes_w = self.classes_w
        for i in range(len(classes_w)):
            if classes_w[i] is w_class:
                self.counts[i] += 1
                return self.codes[i]
        code = classinfo_of(space, w_class).lookup(self.selector)
        self.record(space, w_class, code)
        return code

    def _lookup_in_trace(self, space, w_class):
        from spyvm.lookup import classinfo_of
        config = space.config
        if not config.pic_enabled:
            # ablation (--no-pic): always specialise on the class
            w_class = jit.promote(w_class)
            return classinfo_of(space, w_class).lookup(self.selector)
        if self.megamorphic:
            # no promotion: one trace serves every class, and the lookup is
            # a residual call into the global cache
            if config.stats_enabled:
                self.megamorphic_sends += 1
            return space.method_cache.lookup(space, w_class, self.selector)
        # customisation: the trace guards on the class and inlines the callee
        w_class = jit.promote(w_class)
        code = classinfo_of(space, w_class).lookup(self.selector)
        index = self._index_of(w_class)
        if index < 0:
            self.record(space, w_class, code)
        elif config.stats_enabled:
            self.counts[index] += 1
        return code

    @jit.unroll_safe
    def _index_of(self, w_class):
        classes_w = self.classes_w
        for i in range(len(classes_w)):
            if classes_w[i] is w_class:
                return i
        return -1

    def record(self, space, w_class, code):
        if self.megamorphic:
            self.megamorphic_sends += 1
            return
        if len(self.classes_w) >= space.config.pic_size:
            self.megamorphic = True
            self.megamorphic_sends += 1
            return
        self.classes_w = self.classes_w + [w_class]
        self.codes = self.codes + [code]
        self.counts = self.counts + [1]

    def reset(self, epoch):
        """Methods changed somewhere: forget classes and cached code."""
        self.epoch = epoch
        self.classes_w = []
        self.codes = []
        self.counts = []
        self.megamorphic = False
        self.megamorphic_sends = 0

    # --------------------------------------------------------------- census

    def total_sends(self):
        total = self.megamorphic_sends
        for count in self.counts:
            total += count
        return total

    def state_name(self):
        if self.megamorphic:
            return "megamorphic"
        n = len(self.classes_w)
        if n == 0:
            return "unused"
        if n == 1:
            return "monomorphic"
        return "polymorphic"
