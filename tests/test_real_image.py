"""The real SmallWorld 2015 image under the untranslated VM.

Needs SMALLWORLD_IMAGE; the slow scenarios (tinyBenchmarks, deep
recursion) run against the native binary in test_translated.py.
"""

import os

from tests.conftest import st_file

WELCOME = "Welcome to SmallWorld 2015.1"


def test_startup_prints_welcome_and_system_started(run_untranslated,
                                                   real_image):
    r = run_untranslated(real_image, "-e", "3 + 4")
    assert r.status == 0, r
    assert r.out.startswith(WELCOME)
    assert "(System started)\n" in r.out
    assert r.out.endswith("7\n")


def test_animal_dog_file_in(run_untranslated, real_image):
    r = run_untranslated(real_image, st_file("animal.st"))
    assert r.status == 0, r
    assert r.out.endswith("(System started)\nRex says Woof (generic noise)\n"
                          "one\ntwo\n")


def test_dnu_prints_the_image_backtrace_and_goes_on(run_untranslated,
                                                    real_image):
    r = run_untranslated(real_image, st_file("dnu.st"))
    assert r.status == 1, r
    assert r.err == ('100 does not understand "frobnicate"\n'
                     'current[MetaContext,]\n'
                     'doesNotUnderstand:[SmallInt,Array,]\n'
                     'doItCommand[Undefined,]\n \n')
    assert r.out.endswith("still running\n")


def test_redefined_method_runs_the_new_definition(run_untranslated,
                                                  real_image):
    r = run_untranslated(real_image, st_file("redefine.st"))
    assert r.out.endswith("hello\nbonjour\n"), r


def test_large_integers_after_smallint_overflow(run_untranslated, real_image):
    # 2^62 + 2^62 overflows a 64-bit SmallInt: SendBinary falls back to
    # SmallInt>>+, which makes a LargePositive
    r = run_untranslated(real_image, "-e",
                         "(4611686018427387904 + 4611686018427387904) class")
    assert r.out.endswith("LargePositive\n"), r


def test_export_image_writes_a_loadable_image(run_untranslated, real_image,
                                              tmp_path):
    path = str(tmp_path / "saved.image")
    r = run_untranslated(real_image, "-e", "File exportImage: '%s'" % path)
    assert r.out.endswith("Image saved in file %s\n" % path), r
    r = run_untranslated(path, "-e", "Transcript")
    assert r.status == 0, r
    assert r.out.endswith("Transcript\n")


def test_a_30_element_literal_array_grows_the_compilers_stack(
        run_untranslated, real_image):
    # the image's compiler sizes this method's stack too small (spec 7.22)
    r = run_untranslated(real_image, st_file("literal30.st"), "-e",
                         "nil thirty size", "-e", "(nil thirty at: 30)")
    assert r.status == 0, r
    assert r.out.endswith("(System started)\n30\n30\n"), r


def test_writing_a_method_into_the_methods_array_in_place(run_untranslated,
                                                          real_image):
    r = run_untranslated(real_image, st_file("methods_in_place.st"))
    assert r.status == 0, r
    assert r.out.endswith("(System started)\n1\n2\n"), r
