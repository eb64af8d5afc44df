"""Send-site inline caches in the interpreter: classes recorded with
counts, the megamorphic cut-off, the global method cache, and flushing
when methods change."""

import pytest

from spyvm.model import W_SmallInt
from spyvm.code import code_of_method, NOT_FOUND, MAX_FAILURES
from tests.mini import *


def tagged(value):
    """A method answering `value + 0` (not a quick method: a real send)."""
    return assemble(push_const(value), push_const(0), send_binary(2),
                    stack_return())


@pytest.fixture
def image():
    image = mini_image()
    for k, name in enumerate(["A", "B", "C", "D"]):
        image.subclass(name)
        image.install(name, "k", tagged(k + 1))
    # Object>>kOf: x  ^ x k     (the send site under test is at pc 2)
    image.w_probe = image.install("Object", "kOf:", assemble(
        push_arg(1), mark(1), send(0), stack_return()), ["k"])
    return image


def site(image):
    return code_of_method(image.space, image.w_probe).site_at(2)


def k_of(image, name):
    w = image.send(image.w_nil, "kOf:", image.new(name))
    return w.value


def test_site_records_classes_with_counts(image):
    assert [k_of(image, n) for n in "AABAB"] == [1, 1, 2, 1, 2]
    s = site(image)
    assert s.state_name() == "polymorphic"
    assert [image.space.class_name(w) for w in s.classes_w] == ["A", "B"]
    assert s.counts == [3, 2]
    assert s.total_sends() == 5


def test_site_turns_megamorphic_past_pic_size(image):
    image.space.config.pic_size = 2
    assert [k_of(image, n) for n in "ABCDCBA"] == [1, 2, 3, 4, 3, 2, 1]
    s = site(image)
    assert s.megamorphic and s.state_name() == "megamorphic"
    assert s.total_sends() == 7
    # since then it dispatched through the global cache: D C B A
    cache = image.space.method_cache
    names = [image.space.class_name(w) for w in cache.classes_w
             if w is not None]
    assert "A" in names and set(names) <= set("ABCD")


def test_a_site_without_cheap_callees_specialises_on_more_classes(image):
    # `k` that stores a temporary first is neither a pure method nor quick:
    # the megamorphic path would enter its compiled code through the
    # portal, so the site keeps specialising up to three times --pic-size
    for name in "EFG":
        image.subclass(name)
    for k, name in enumerate("ABCDEFG"):
        w_method = image.install(name, "k", assemble(
            push_const(k + 1), assign_temp(0), pop(), push_temp(0),
            push_const(0), send_binary(2), stack_return()), temps=1)
        code = code_of_method(image.space, w_method)
        assert not code.is_cheap_callee() and not code.runs_without_portal()
    image.space.config.pic_size = 2
    assert [k_of(image, n) for n in "ABCDEF"] == [1, 2, 3, 4, 5, 6]
    s = site(image)
    assert not s.megamorphic and len(s.classes_w) == 6
    assert k_of(image, "G") == 7
    assert s.megamorphic
    # one cheap callee among them and the plain limit holds again
    image.install("B", "k", tagged(2))
    assert [k_of(image, n) for n in "ABC"] == [1, 2, 3]
    assert site(image).megamorphic


def test_a_site_whose_callees_send_to_pure_leaves_specialises_less(image):
    # `k  ^ self one + k`: a pure method that sends, and `one` (a pure
    # leaf) is what its site found, so a megamorphic site would run it
    # without a context: the site specialises up to 3/2 of --pic-size
    image.install("Object", "one", tagged(1))
    for k, name in enumerate(["A", "B", "C", "D"]):
        image.install(name, "k", assemble(
            push_self(), mark(1), send(0), push_const(k), send_binary(2),
            stack_return()), ["one"])
    w_k = image.cls("A").slots_w[2].slots_w[-1]
    code = code_of_method(image.space, w_k)
    assert not code.is_cheap_callee() and code.leaf_program is not None
    # no evidence before k has run
    assert not code.runs_without_portal()
    image.space.config.pic_size = 2
    assert [k_of(image, n) for n in "ABC"] == [1, 2, 3]
    assert code.runs_without_portal()
    assert not site(image).megamorphic
    assert k_of(image, "D") == 4
    assert site(image).megamorphic
    # `one` that is not pure: k would need the portal after all
    image.install("Object", "one", assemble(
        push_const(1), assign_temp(0), pop(), push_temp(0), push_const(0),
        send_binary(2), stack_return()), temps=1)
    assert [k_of(image, n) for n in "ABCD"] == [1, 2, 3, 4]
    assert not site(image).megamorphic


def test_a_pure_callee_that_gives_up_too_often_needs_the_portal(image):
    # `k  ^ self one + k` with `one` a pure leaf, as above; once its
    # evaluation has given up MAX_FAILURES times more than it answered a
    # megamorphic site sends it the ordinary way (through the portal), so
    # the site specialises up to three times --pic-size, not 3/2
    image.install("Object", "one", tagged(1))
    programs = []
    for k, name in enumerate("ABCDEFG"):
        if name not in "ABCD":
            image.subclass(name)
        w_method = image.install(name, "k", assemble(
            push_self(), mark(1), send(0), push_const(k), send_binary(2),
            stack_return()), ["one"])
        programs.append(code_of_method(image.space, w_method).leaf_program)
    image.space.config.pic_size = 2
    assert [k_of(image, n) for n in "ABC"] == [1, 2, 3]
    codes = site(image).codes
    assert all(code.runs_without_portal() for code in codes)
    assert site(image).size_limit(2) == 3
    for program in programs:
        program.failures = MAX_FAILURES
    assert not any(code.runs_without_portal() for code in codes)
    assert site(image).size_limit(2) == 6
    assert [k_of(image, n) for n in "DEF"] == [4, 5, 6]
    assert not site(image).megamorphic
    assert k_of(image, "G") == 7
    assert site(image).megamorphic
    # an answer brings the count below the limit: evaluated again
    programs[0].failures = MAX_FAILURES - 1
    assert codes[0].runs_without_portal()


def hot_names(image):
    return [image.space.class_name(w) for w in site(image).hot_w]


def megamorphic_with_sample(image, monkeypatch, sample=16):
    """Turn the probe's site megamorphic (A B C, then D past
    --pic-size 3) with a sample of `sample` sends; D is its first."""
    image.space.config.hot_sample = sample
    image.space.config.pic_size = 3
    assert [k_of(image, n) for n in "ABCD"] == [1, 2, 3, 4]
    assert site(image).megamorphic and hot_names(image) == []


def test_the_classes_with_a_large_share_of_the_sample_get_hot(image,
                                                              monkeypatch):
    megamorphic_with_sample(image, monkeypatch)
    # D, then 14 of the 16 sampled sends: no choice before the last one
    assert [k_of(image, n) for n in "AAAAAAAAAAAABB"] == [1] * 12 + [2, 2]
    assert hot_names(image) == []
    # A has 12/16, B 2/16 (the least share that is hot), C 1/16
    assert k_of(image, "C") == 3
    assert hot_names(image) == ["A", "B"]
    # the sample is over: the choice stays
    assert [k_of(image, n) for n in "CCCCCCCC"] == [3] * 8
    assert hot_names(image) == ["A", "B"]


def test_hot_classes_are_most_sampled_first_up_to_the_limit(image,
                                                           monkeypatch):
    image.space.config.hot_classes = 2
    megamorphic_with_sample(image, monkeypatch)
    assert [k_of(image, n) for n in "ABABABABABBCCCC"] == \
        [1, 2] * 5 + [2, 3, 3, 3, 3]
    assert hot_names(image) == ["B", "A"]


def test_no_hot_classes_without_the_option_or_after_a_reset(image,
                                                            monkeypatch):
    image.space.config.hot_classes = 0
    megamorphic_with_sample(image, monkeypatch)
    assert [k_of(image, n) for n in "A" * 20] == [1] * 20
    assert hot_names(image) == []
    # a method change resets the site: it records, turns megamorphic and
    # samples again
    image.space.config.hot_classes = 4
    image.install("A", "k", tagged(7))
    assert [k_of(image, n) for n in "ABCD"] == [7, 2, 3, 4]
    assert [k_of(image, n) for n in "A" * 15] == [7] * 15
    assert hot_names(image) == ["A"]


def test_pure_leaf_callees_do_not_change_the_cut_off(image):
    # every `k` is a pure leaf (pureleaf.py), whose megamorphic send is
    # cheap; the site still specialises on --pic-size classes, because a
    # trace that guarded on a receiver's class sends it every further
    # message for free (docs/pics.md, bench/polymorphic.st)
    image.space.config.pic_size = 3
    assert [k_of(image, n) for n in "ABCA"] == [1, 2, 3, 1]
    s = site(image)
    assert not s.megamorphic
    assert [image.space.class_name(w) for w in s.classes_w] == ["A", "B", "C"]
    assert k_of(image, "D") == 4
    assert s.megamorphic
    # a fifth class is one too many
    image.subclass("E")
    image.install("E", "k", tagged(5))
    assert k_of(image, "E") == 5
    assert site(image).megamorphic


def test_method_cache_gives_the_classes_of_one_selector_their_own_entries(
        image):
    # the table is indexed by class serial numbers, not addresses: 300
    # classes sent the same selector all stay cached, in every process
    space = image.space
    cache = space.method_cache
    classes_w = []
    for i in range(300):
        classes_w.append(image.subclass("K%d" % i, "A"))
    for w_class in classes_w:
        assert cache.lookup(space, w_class, "k") is not None
    cached = [w for w in cache.classes_w if w is not None]
    assert len(cached) == 300
    assert set(cached) == set(classes_w)


def test_method_cache_keeps_two_entries_that_share_a_set(image):
    # a megamorphic site's classes and a selector their (pure) callees
    # send may share a set: both stay cached, and a third entry in the
    # set evicts the older of the two
    from rpython.rlib.objectmodel import compute_hash
    from spyvm.lookup import classinfo_of
    space = image.space
    cache = space.method_cache
    w_A = image.cls("A")
    index = cache.index(classinfo_of(space, w_A), compute_hash("k"))
    others = []
    for i in range(5000):
        selector = "s%d" % i
        if cache.index(classinfo_of(space, w_A),
                       compute_hash(selector)) == index:
            others.append(selector)
            image.install("A", selector, tagged(len(others)))
    assert len(others) >= 2
    code_k = cache.lookup(space, w_A, "k")
    code_1 = cache.lookup(space, w_A, others[0])
    assert code_k is not None and code_1 is not None
    assert cache.probe(w_A, "k", compute_hash("k")) is code_k
    assert cache.probe(w_A, others[0], compute_hash(others[0])) is code_1
    cache.lookup(space, w_A, others[1])
    assert cache.probe(w_A, "k", compute_hash("k")) is NOT_FOUND
    assert cache.probe(w_A, others[0], compute_hash(others[0])) is code_1


def test_megamorphic_site_runs_a_redefined_method(image):
    image.space.config.pic_size = 1
    assert [k_of(image, n) for n in "ABCD"] == [1, 2, 3, 4]
    assert site(image).megamorphic
    image.install("C", "k", tagged(9))
    # the redefinition flushed the global cache; the site starts afresh
    # (it compares epochs at its next send)
    assert all(w is None for w in image.space.method_cache.classes_w)
    assert site(image).epoch != image.space.pic_epoch
    assert [k_of(image, n) for n in "ABCD"] == [1, 2, 9, 4]


def test_method_cache_answers_none_for_a_missing_method(image):
    space = image.space
    cache = space.method_cache
    w_A = image.cls("A")
    assert cache.lookup(space, w_A, "nope") is None
    assert cache.lookup(space, w_A, "nope") is None     # cached miss
    assert cache.lookup(space, w_A, "k") is not None


def test_a_constant_class_finds_the_classinfo_the_interpreter_uses(image):
    # traces look a promoted class's ClassInfo up with an elidable read
    # (lookup.classinfo_of_constant): the same object as classinfo_of's,
    # made on first sight, and an error for an object that is no class
    from spyvm.errors import VMError
    from spyvm.lookup import classinfo_of, classinfo_of_constant
    space = image.space
    w_E = image.subclass("E")
    assert w_E.shadow is None
    info = classinfo_of_constant(space, w_E)
    assert info is w_E.shadow is classinfo_of(space, w_E)
    assert classinfo_of_constant(space, w_E) is info
    with pytest.raises(VMError):
        classinfo_of_constant(space, W_SmallInt(3))


def test_a_class_run_as_a_method_invalidates_the_lookups(image):
    # the one write that replaces a ClassInfo: an object that was a class
    # decoded as a method.  Every version changes first, so a trace that
    # folded the ClassInfo (classinfo_of_constant) fails its version guard
    from spyvm.errors import VMError
    from spyvm.lookup import classinfo_of
    space = image.space
    w_A = image.cls("A")
    info = classinfo_of(space, w_A)
    version = info.version
    epoch = space.pic_epoch
    w_method = image.install("B", "asMethod", tagged(5))
    # a class object shaped like a method: its slots are the method's
    saved = w_A.slots_w
    w_A.slots_w = list(w_method.slots_w)
    w_A.ints = None
    try:
        code_of_method(space, w_A)
    finally:
        w_A.slots_w = saved
    assert info.version is not version
    assert space.pic_epoch == epoch + 1
    with pytest.raises(VMError):
        classinfo_of(space, w_A)        # no longer a class for the VM


def test_profiling_switch_in_the_interpreter_is_the_profilers_state(image):
    # outside traces profiler.profiling reads state.on, which start and
    # stop set; traces read Config.profiling, which main sets from
    # --profile before the profiler starts
    from spyvm import profiler
    assert not profiler.profiling(image.space)
    assert image.space.config.profiling is False
    profiler.state.on = True
    try:
        assert profiler.profiling(image.space)
    finally:
        profiler.state.on = False
