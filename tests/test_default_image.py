"""The default image built from images/source: the Smalltalk test suite
(tests/smalltalk/*.st) through the native binaries and, for a small
subset, through the untranslated VM."""

import os
import re
import glob
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = sorted(glob.glob(os.path.join(ROOT, 'tests', 'smalltalk', '[0-9]*.st')))
REPORT = re.compile(r'^(\d+) passed, (\d+) failed$', re.M)
EXPECTED_CHECKS = 182


@pytest.fixture
def image(own_image):
    return own_image


def run(cmd, stdin=None, timeout=600):
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(stdin)
    return p.returncode, out.decode('latin-1'), err.decode('latin-1')


BINARIES = [b for b in ['spy-nojit', 'spy']
            if os.path.exists(os.path.join(ROOT, b))]


def vm_command(binary):
    return [os.path.join(ROOT, binary)]


def test_image_layout(image):
    from spyvm.objspace import ObjSpace
    from spyvm.image_reader import load_image
    from spyvm.model import W_SmallInt
    space = ObjSpace()
    objects_w = load_image(space, open(image, 'rb').read())
    names = [space.class_name(c) for c in space.all_classes()]
    assert names == sorted(names)
    assert space.class_name(space.w_Array) == 'Array'
    assert space.class_name(space.w_Block) == 'Block'
    assert space.class_name(space.w_Context) == 'Context'
    assert space.class_name(space.w_SmallInt) == 'SmallInt'
    assert space.class_name(space.w_nil.getclass(space)) == 'Undefined'
    assert space.class_name(space.w_true.getclass(space)) == 'True'
    for i in range(10):
        assert isinstance(objects_w[7 + i], W_SmallInt)
        assert objects_w[7 + i].value == i
    for required in ['Object', 'Class', 'String', 'Transcript', 'File',
                     'SmallWorld', 'LargePositive', 'Dictionary', 'Parser']:
        assert required in names


@pytest.mark.parametrize('binary', BINARIES)
def test_expression(image, binary):
    rc, out, err = run(vm_command(binary) + [image, '-e', '3 + 4'])
    assert out == '7\n'
    assert rc == 0


@pytest.mark.parametrize('binary', BINARIES)
def test_smalltalk_suite(image, binary):
    rc, out, err = run(vm_command(binary) + [image] + SUITE)
    reports = REPORT.findall(out)
    assert reports, out + err
    passed, failed = map(int, reports[-1])
    assert 'FAIL' not in out, out
    assert failed == 0, out
    assert passed == EXPECTED_CHECKS
    assert out.rstrip().splitlines()[-1] == '%d passed, 0 failed' % passed
    # the deliberate errors of 06-errors.st print message + backtrace
    assert '3 does not understand "zork"\ncurrent[MetaContext,]\n' in err
    assert 'deliberate error\n' in err


@pytest.mark.parametrize('binary', BINARIES)
def test_repl(image, binary):
    rc, out, err = run(vm_command(binary) + [image],
                       stdin=b'3 + 4\nnil foo\n(2 raisedTo: 64) printString\n')
    assert rc == 1      # an error happened (README: exit status)
    assert out.splitlines() == ['7', '18446744073709551616']
    assert 'nil does not understand "foo"' in err


@pytest.mark.parametrize('binary', BINARIES)
def test_demo(image, binary):
    rc, out, err = run(vm_command(binary) +
                       [image, os.path.join(ROOT, 'images', 'demo.st')])
    assert rc == 0, err
    assert 'Hello, SmallWorld!' in out
    assert '1267650600228229401496703205376' in out
    assert re.search(r'tinyBenchmarks: \d+ bytecodes/sec; \d+ sends/sec', out)


def test_untranslated_vm(image):
    quick = os.path.join(ROOT, 'tests', 'smalltalk', 'data', 'quick.st')
    rc, out, err = run([sys.executable, os.path.join(ROOT, 'targetsmalltalk.py'),
                        image, quick])
    assert out.rstrip().splitlines()[-1] == '5 passed, 0 failed', out + err
    assert 'nil does not understand "zork"' in err
