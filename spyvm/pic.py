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
# dispatches over them with a chain of class guards (~1.4 ns per class),
# which stays cheaper than the megamorphic path (a residual call, ~44 ns
# through the portal) up to about 32 classes; when every callee is a pure
# leaf the megamorphic path costs ~24 ns (pureleaf.py), as much as 16
# guards, so such a site turns megamorphic at half the size: docs/pics.md
# has the sweeps.
DEFAULT_PIC_SIZE = 32
MAX_PIC_SIZE = 256


class SendSite(object):
    _attrs_ = ['selector', 'selector_hash', 'w_selector', 'kind', 'location',
               'classes_w', 'codes', 'counts', 'megamorphic',
               'megamorphic_sends', 'epoch', 'all_pure']
    # traces read classes_w only through an elidable lookup
    # (lookup._index_of), so recording a class invalidates no trace; a
    # site turning megamorphic invalidates those that specialised on it
    _immutable_fields_ = ['selector', 'selector_hash', 'w_selector', 'kind',
                          'location', 'megamorphic?']

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
        self.megamorphic_sends = 0
        self.epoch = 0
        self.all_pure = True    # every recorded callee is a pure leaf

    def size_limit(self, space):
        """Classes this site specialises on: --pic-size, or half of it
        while every callee is a pure leaf (cheap when megamorphic)."""
        limit = space.config.pic_size
        if self.all_pure:
            limit = max(1, limit // 2)
        return limit

    def record(self, space, w_class, code):
        if self.megamorphic:
            self.megamorphic_sends += 1
            return
        if code is None or not code.pure_leaf:
            self.all_pure = False
        if len(self.classes_w) >= self.size_limit(space):
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
        self.all_pure = True

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
