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
# dispatches over them with a chain of class guards (~1.5 ns per class);
# a megamorphic send costs ~20 ns for a pure leaf callee (pureleaf.py) and
# ~44 ns for any other.  With one send per receiver the cross-over is
# about 14 classes, but a trace that has guarded on a receiver's class
# sends it every further message for free: bench/polymorphic.st (two sends
# per receiver, 20 classes) ran 2x slower with a cut-off of 16.  32 is
# about the cross-over for two sends: docs/pics.md has the sweeps.
DEFAULT_PIC_SIZE = 32
MAX_PIC_SIZE = 256


class SendSite(object):
    _attrs_ = ['selector', 'selector_hash', 'w_selector', 'kind', 'location',
               'classes_w', 'codes', 'counts', 'megamorphic',
               'megamorphic_sends', 'epoch']
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
