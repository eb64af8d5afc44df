"""Polymorphic inline caches: the state of one send site.

A site records up to `pic_size` receiver classes with their code and counts
and then turns megamorphic; a method change anywhere resets it.  The
dispatch that reads and fills it lives with the rest of lookup
(lookup.lookup_at_site).

`megamorphic` is quasi-immutable, so a site turning megamorphic
invalidates the traces that specialised on it.  Recording another class
invalidates nothing (lookup._index_of).
"""

from rpython.rlib.objectmodel import compute_hash

SEND = 0
SUPER = 1
BINARY = 2

# Classes a site specialises on before it turns megamorphic.  A trace
# dispatches over them with a chain of class guards (~0.8 ns per class);
# a megamorphic send costs ~16 ns for a quick or pure leaf callee
# (pureleaf.py), ~38 for a pure method that sends, and 70-85 ns for any
# other (RPython's portal entry).  So a site none of whose callees is quick
# or a pure leaf specialises on half as many classes again (48 by default:
# the cross-over of the `send` sweep), and three times as many (96) when
# none of them would even run without a context (CompiledCode.
# runs_without_portal; the cross-over of the `arith` sweep, docs/pics.md).
# With one send per receiver the cross-over is about 14 classes, but a
# trace that has guarded on a receiver's class sends it every further
# message for free: bench/polymorphic.st (two sends per receiver, 20
# classes) ran 2x slower with a cut-off of 16.  32 is about the cross-over
# for two sends: docs/pics.md has the sweeps.
DEFAULT_PIC_SIZE = 32
MAX_PIC_SIZE = 256

# Type feedback at a megamorphic site (Self's recompilation, the Racket
# JIT's PIC counts): after turning megamorphic the site samples the
# receiver classes of its next HOT_SAMPLE sends (config.hot_sample; in
# the interpreter, and in traces made meanwhile through a residual call),
# and the classes that took at least 1/HOT_SHARE of them stay specialised
# in traces (a guard each, callee inlined); only the others take the
# generic path.  The sample's end invalidates the traces made while it
# ran.  At most `--hot-classes` of them (0: none).  The counts from before
# the cut-off cannot say this: they stop once the site's code is
# compiled, and every class recorded later has a count of 1.
# docs/pics.md has the sweep.
DEFAULT_HOT_CLASSES = 4
MAX_HOT_CLASSES = 8
HOT_SHARE = 8
HOT_SAMPLE = 128


class SendSite(object):
    _attrs_ = ['selector', 'selector_hash', 'w_selector', 'kind', 'location',
               'classes_w', 'codes', 'counts', 'megamorphic', 'hot_w',
               'sampling', 'sample_w', 'samples', 'sampled',
               'cheap_callees', 'megamorphic_sends', 'epoch',
               'w_leaf_class', 'leaf_callee', 'leaf_epoch']
    # traces read classes_w only through an elidable lookup
    # (lookup._index_of), so recording a class invalidates no trace; a
    # site turning megamorphic invalidates those that specialised on it;
    # hot_w is chosen when its sample ends and read by traces as constants
    _immutable_fields_ = ['selector', 'selector_hash', 'w_selector', 'kind',
                          'location', 'megamorphic?', 'hot_w?[*]',
                          'sampling?']

    def __init__(self, selector, w_selector, kind, location):
        self.selector = selector
        # computed once: the megamorphic send's cache probe (lookup.py)
        # must not call the string's hash, which may allocate in a trace
        self.selector_hash = compute_hash(selector)
        self.w_selector = w_selector
        self.kind = kind
        self.location = location    # "Class>>selector @pc", for --stats
        self.classes_w = []
        self.codes = []
        self.counts = []
        self.megamorphic = False
        self.hot_w = []
        self.sampling = False
        self.sample_w = []      # the classes sampled so far, and
        self.samples = []       # their counts, and how many sends,
        self.sampled = 0        # while sampling
        self.cheap_callees = 0  # recorded callees quick or pure leaves
        self.megamorphic_sends = 0
        self.epoch = 0
        # when the site is in a pure method: the receiver class of its last
        # evaluated send, the pure program that class runs, and the
        # space's pic_epoch then (pureleaf.find_callee)
        self.w_leaf_class = None
        self.leaf_callee = None
        self.leaf_epoch = -1

    def record(self, space, w_class, code):
        if self.megamorphic:
            self.megamorphic_sends += 1
            return
        if len(self.classes_w) >= self.size_limit(space.config.pic_size):
            self.megamorphic = True
            self.megamorphic_sends += 1
            if space.config.hot_classes > 0:
                # the sample is empty: reset() and the end of a sample
                # leave it so
                self.sampling = True
                self.sample(space, w_class)
            return
        self.classes_w = self.classes_w + [w_class]
        self.codes = self.codes + [code]
        self.counts = self.counts + [1]
        if code is not None and code.is_cheap_callee():
            self.cheap_callees += 1

    def size_limit(self, pic_size):
        """How many classes the site records before it turns megamorphic:
        more while none of its callees would be cheap at a megamorphic
        site, and more again while none would run without RPython's
        portal (DEFAULT_PIC_SIZE's comment).  The callees' own sites tell
        the latter, so it is asked only when the site is that full: by
        then they have run."""
        if self.cheap_callees > 0:
            return pic_size
        limit = pic_size + pic_size // 2
        if len(self.classes_w) >= limit and \
                not self.any_callee_without_portal():
            limit = 3 * pic_size
        return min(limit, MAX_PIC_SIZE)

    def any_callee_without_portal(self):
        for code in self.codes:
            if code is not None and code.runs_without_portal():
                return True
        return False

    def reset(self, epoch):
        """Methods changed somewhere: forget classes and cached code."""
        self.epoch = epoch
        self.classes_w = []
        self.codes = []
        self.counts = []
        self.cheap_callees = 0
        self.megamorphic = False
        self.hot_w = []
        self.sampling = False
        self.sample_w = []
        self.samples = []
        self.sampled = 0
        self.megamorphic_sends = 0

    def sample(self, space, w_class):
        """One send of a megamorphic site, while it samples."""
        for i in range(len(self.sample_w)):
            if self.sample_w[i] is w_class:
                self.samples[i] += 1
                break
        else:
            self.sample_w.append(w_class)
            self.samples.append(1)
        self.sampled += 1
        if self.sampled >= space.config.hot_sample:
            hot_w = self.hot_classes(space.config.hot_classes)
            self.sample_w = []
            self.samples = []
            self.sampled = 0
            # both quasi-immutable: traces made while sampling recompile
            self.hot_w = hot_w
            self.sampling = False

    def hot_classes(self, limit):
        """The classes with at least 1/HOT_SHARE of the sampled sends,
        most sampled first, at most `limit` of them."""
        total = self.sampled
        counts = self.samples
        hot_w = []
        taken = [False] * len(counts)
        while len(hot_w) < limit:
            best = -1
            for i in range(len(counts)):
                if not taken[i] and counts[i] > 0 and \
                        counts[i] * HOT_SHARE >= total and \
                        (best < 0 or counts[i] > counts[best]):
                    best = i
            if best < 0:
                break
            taken[best] = True
            # concatenation, not append: traces read hot_w as immutable,
            # and RPython refuses that for a list that was ever resized
            hot_w = hot_w + [self.sample_w[best]]
        return hot_w

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
