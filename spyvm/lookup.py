"""Method lookup (spec 6): per-class caches, the global method cache and
the dispatch of a send site.

A class's ClassInfo hangs off the class object (its shadow).  Its `version`
is quasi-immutable: traces that looked a method up depend on it only through
guard_not_invalidated, and writing a class's `methods` or `parentClass` slot
gives every ClassInfo a new version.

A send site (pic.SendSite) is the fast path in the interpreter: a short
list of (class, code) entries checked by identity, refilled from the
class's ClassInfo on a miss.  In traces it decides specialisation: while it
is not megamorphic the receiver class is promoted (one guard per class,
callee inlined); once it is megamorphic the class stays a variable and the
lookup is a residual call into the global MethodCache.
"""

from rpython.rlib import jit
from rpython.rlib.objectmodel import compute_hash, dont_inline

from spyvm.model import W_PointersObject, W_BytesObject, Shadow
from spyvm.code import code_of_method, NOT_FOUND
from spyvm.errors import VMError

SLOT_PARENT = 1
SLOT_METHODS = 2


class Version(object):
    """Identity-only token; a new one means 'cached lookups are stale'."""
    _attrs_ = []


class ClassInfo(Shadow):
    _attrs_ = ['space', 'w_class', 'serial', 'version', 'cache']
    _immutable_fields_ = ['space', 'w_class', 'serial', 'version?']

    def __init__(self, space, w_class, serial):
        self.space = space
        self.w_class = w_class
        # the class's number in the method cache's hash: unlike an identity
        # hash (an address) it is the same in every process
        self.serial = serial
        self.version = Version()
        self.cache = {}

    def slot_changed(self, space, w_obj, index):
        if index == SLOT_PARENT or index == SLOT_METHODS:
            space.classinfo_changed()

    def invalidate(self):
        self.version = Version()
        self.cache = {}

    def lookup(self, selector):
        """The CompiledCode for `selector`, or None."""
        return self._lookup(selector, self.version)

    @jit.elidable
    def _lookup(self, selector, version):
        found = self.cache.get(selector, None)
        if found is None:
            found = self._walk(selector)
            self.cache[selector] = found
        if found is NOT_FOUND:
            return None
        return found

    def _walk(self, selector):
        space = self.space
        w_class = self.w_class
        depth = 0
        while (isinstance(w_class, W_PointersObject) and
               w_class is not space.w_nil):
            # every class on the chain gets a ClassInfo, so that a write to
            # its methods or parent invalidates what we cache here
            classinfo_of(space, w_class)
            w_methods = space.safe_fetch(w_class, SLOT_METHODS)
            if isinstance(w_methods, W_PointersObject):
                watch_methods_array(space, w_methods)
                for w_method in w_methods.items(space):
                    if (isinstance(w_method, W_PointersObject) and
                            method_named(space, w_method, selector)):
                        return code_of_method(space, w_method)
            w_class = space.safe_fetch(w_class, SLOT_PARENT)
            depth += 1
            if depth > 10000:
                raise VMError("the superclass chain of %s is circular"
                              % space.class_name(self.w_class))
        return NOT_FOUND


class MethodsArrayShadow(Shadow):
    """Marks an Array that is (or was) some class's `methods`: writing a
    Method into it in place (`methods at: i put:`) changes lookups just
    like replacing the Array does (spec 7: any method change)."""
    _attrs_ = []

    def slot_changed(self, space, w_obj, index):
        space.classinfo_changed()


METHODS_ARRAY = MethodsArrayShadow()


def watch_methods_array(space, w_methods):
    if w_methods.shadow is None:
        # raw integer stores skip the shadow: keep only objects
        w_methods.switch_to_objects(space)
        w_methods.shadow = METHODS_ARRAY


class MethodCache(object):
    """The global lookup cache (Smalltalk-80's method cache): (class,
    selector) -> code in a fixed table indexed by a hash of both.

    Megamorphic sites dispatch through it, in the interpreter and as a
    residual call in traces, and so do the sends inside pure methods
    (pureleaf.py); it is cheaper than a ClassInfo's dict, which hashes and
    compares the selector string.  Two-way set associative: a megamorphic
    site's classes and a selector its callees send can land in the same
    set, and with one way they would evict each other on every round.
    Flushed with every other cache when a class's methods or parent
    change.
    """
    SETS = 1024     # a power of two; each set is two adjacent entries
    _attrs_ = ['classes_w', 'selectors', 'codes', 'found']

    def __init__(self):
        self.classes_w = [None] * (2 * self.SETS)
        self.selectors = [None] * (2 * self.SETS)
        self.codes = [None] * (2 * self.SETS)
        self.found = None   # what megamorphic_send found (pureleaf.py)

    @jit.dont_look_inside
    def lookup(self, space, w_class, selector):
        """The CompiledCode for `selector` in w_class, or None."""
        selector_hash = compute_hash(selector)
        code = self.probe(w_class, selector, selector_hash)
        if code is not NOT_FOUND:
            return code
        info = classinfo_of(space, w_class)
        code = info.lookup(selector)
        index = self.index(info, selector_hash)
        if self.classes_w[index] is not None:
            # the newest entry goes first; the older one moves to the
            # second way, evicting what was there
            self.classes_w[index + 1] = self.classes_w[index]
            self.selectors[index + 1] = self.selectors[index]
            self.codes[index + 1] = self.codes[index]
        self.classes_w[index] = w_class
        self.selectors[index] = selector
        self.codes[index] = code
        return code

    def probe(self, w_class, selector, selector_hash):
        """The cached code for `selector` (whose compute_hash is
        selector_hash) in w_class (None: not understood), or NOT_FOUND
        when it is not cached.  Allocates nothing, so
        pureleaf.megamorphic_send cannot collect."""
        if not isinstance(w_class, W_PointersObject):
            return NOT_FOUND
        info = w_class.shadow
        if not isinstance(info, ClassInfo):
            return NOT_FOUND
        index = self.index(info, selector_hash)
        if self.classes_w[index] is w_class and \
                self.selectors[index] == selector:
            return self.codes[index]
        index += 1
        if self.classes_w[index] is w_class and \
                self.selectors[index] == selector:
            return self.codes[index]
        return NOT_FOUND

    def index(self, info, selector_hash):
        """The first entry of the set for (class, selector).  xor with one
        selector's hash is a bijection: classes whose serials differ modulo
        SETS (all of them, while at most SETS classes have a ClassInfo) get
        distinct sets for that selector."""
        return ((info.serial ^ selector_hash) & (self.SETS - 1)) << 1

    def flush(self):
        for i in range(len(self.classes_w)):
            self.classes_w[i] = None
            self.selectors[i] = None
            self.codes[i] = None
        self.found = None


def method_named(space, w_method, selector):
    w_name = space.safe_fetch(w_method, 0)
    if not isinstance(w_name, W_BytesObject):
        return False
    bytes = w_name.bytes
    if len(bytes) != len(selector):
        return False
    for i in range(len(selector)):
        if bytes[i] != selector[i]:
            return False
    return True


def classinfo_of(space, w_class):
    # small, so that the C compiler inlines it into the megamorphic lookup
    if isinstance(w_class, W_PointersObject):
        shadow = w_class.shadow
        if isinstance(shadow, ClassInfo):
            return shadow
    return _new_classinfo(space, w_class)


def classinfo_of_constant(space, w_class):
    """classinfo_of for a class that is a constant in the trace (promoted,
    or a hot class): tracing folds the elidable read to a constant, where
    reading the quasi-immutable `shadow` recorded an operation and a guard
    per send.  A ClassInfo stays its class's shadow (code_of_method, the
    one writer that could replace it, flushes every version first, which
    invalidates such traces through their version guard)."""
    info = _known_classinfo(w_class)
    if info is None:
        info = classinfo_of(space, w_class)     # first sight: made (or an error)
    return info


@jit.elidable
def _known_classinfo(w_class):
    if isinstance(w_class, W_PointersObject):
        shadow = w_class.shadow
        if isinstance(shadow, ClassInfo):
            return shadow
    return None


@dont_inline
def _new_classinfo(space, w_class):
    if isinstance(w_class, W_PointersObject):
        shadow = w_class.shadow
        if shadow is None:
            info = ClassInfo(space, w_class, len(space.known_classinfos))
            # raw integer stores skip the shadow: a class keeps only objects
            w_class.switch_to_objects(space)
            w_class.shadow = info
            space.known_classinfos.append(info)
            return info
    raise VMError("%s is used as a class but is not one"
                  % space.class_name(w_class))


def superclass_of(space, w_class):
    return space.safe_fetch(w_class, SLOT_PARENT)


# ------------------------------------------------------- send-site dispatch

def megamorphic_in_trace(space, site):
    """Whether a trace sends from `site` without promoting the receiver's
    class (pureleaf.megamorphic_send, or the residual lookup below)."""
    return (jit.we_are_jitted() and space.config.pic_enabled and
            site.megamorphic)


def lookup_at_site(space, site, w_class):
    """The code `site` runs for a receiver of class w_class (None: DNU)."""
    if jit.we_are_jitted():
        return _lookup_in_trace(space, site, w_class)
    return _lookup_interpreted(space, site, w_class)


@jit.dont_look_inside
def _lookup_interpreted(space, site, w_class):
    config = space.config
    if not config.pic_enabled:
        return classinfo_of(space, w_class).lookup(site.selector)
    if site.epoch != space.pic_epoch:
        site.reset(space.pic_epoch)
    if site.megamorphic:
        site.megamorphic_sends += 1
        if site.sampling:
            site.sample(space, w_class)     # which classes are hot (pic.py)
        return space.method_cache.lookup(space, w_class, site.selector)
    classes_w = site.classes_w
    for i in range(len(classes_w)):
        if classes_w[i] is w_class:
            site.counts[i] += 1
            return site.codes[i]
    code = classinfo_of(space, w_class).lookup(site.selector)
    site.record(space, w_class, code)
    return code


def _lookup_in_trace(space, site, w_class):
    config = space.config
    if not config.pic_enabled:
        # ablation (--no-pic): always specialise on the class
        w_class = jit.promote(w_class)
        return classinfo_of_constant(space, w_class).lookup(site.selector)
    if site.megamorphic:
        w_hot = hot_class(site, w_class)
        if w_hot is not None:
            # a hot class (pic.py): specialised like a polymorphic site
            return classinfo_of_constant(space, w_hot).lookup(site.selector)
        # no promotion: one trace serves every class, and the lookup is
        # a residual call into the global cache
        if config.stats_enabled:
            site.megamorphic_sends += 1
        return space.method_cache.lookup(space, w_class, site.selector)
    # customisation: the trace guards on the class and inlines the callee
    w_class = jit.promote(w_class)
    code = classinfo_of_constant(space, w_class).lookup(site.selector)
    index = _index_of(site, w_class)
    if index < 0:
        # seen first while tracing: recorded now, and by the compiled
        # code too (a residual call that records only what is new)
        _record_new(space, site, w_class, code)
    elif config.stats_enabled:
        site.counts[index] += 1
    return code


@jit.dont_look_inside
def sample_in_trace(space, site, w_class):
    """A megamorphic send in a trace made while its site samples; the
    sample's end invalidates the trace (`sampling` is quasi-immutable)."""
    if site.sampling:
        site.sample(space, w_class)


@jit.unroll_safe
def hot_class(site, w_class):
    """w_class if it is one of a megamorphic site's hot classes (a trace
    constant then), else None.  In a trace: one pointer comparison per hot
    class, and a class that matches leaves through a bridge of its own."""
    for w_hot in site.hot_w:
        if w_class is w_hot:
            return w_hot
    return None


@jit.elidable
def _index_of(site, w_class):
    """Where the site records w_class, or -1.  Elidable, so a trace reads
    it as a constant: the trace does not depend on the site's other
    entries, and a class recorded later invalidates nothing.  (A reset
    changes the answer, but only after a method change, which invalidates
    every trace that looked a method up.)"""
    classes_w = site.classes_w
    for i in range(len(classes_w)):
        if classes_w[i] is w_class:
            return i
    return -1


@jit.dont_look_inside
def _record_new(space, site, w_class, code):
    for w_known in site.classes_w:
        if w_known is w_class:
            return
    site.record(space, w_class, code)
