"""bench/lottery.py against the fake VM: one process per VM and path
length, the median of each process's last half, max/min per row."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import lottery  # noqa: E402

FAKE_VM = '%s %s {image} {files}' % (sys.executable,
                                     os.path.join(HERE, 'fake_vm.py'))


def run_lottery(*args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        lottery.main(list(args))
    rows = {}
    for line in out.getvalue().splitlines()[2:]:
        words = line.split()
        rows[(words[0], words[1])] = words[2:]
    return rows


class LotteryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'fake.image')
        open(self.image, 'w').close()

    def tearDown(self):
        self.tmp.cleanup()
        os.environ.pop('FAKE_BY_PATH', None)

    def test_a_vm_that_does_not_care_for_paths_has_equal_columns(self):
        rows = run_lottery('--image', self.image, '--vm', 'fake=' + FAKE_VM,
                           '-b', 'list,sieve', '--lengths', '1,4',
                           '--scale', '1', '--iterations', '4')
        # fake ms = 1 per unit of size, list's default size 30
        self.assertEqual(rows[('list', 'fake')], ['30', '30', '1.00'])
        self.assertEqual(set(name for name, _ in rows), {'list', 'sieve'})

    def test_path_length_shows_in_the_columns(self):
        os.environ['FAKE_BY_PATH'] = '1'
        rows = run_lottery('--image', self.image, '--vm', 'a=' + FAKE_VM,
                           '--vm', 'b=' + FAKE_VM, '-b', 'list',
                           '--lengths', '2,5', '--scale', '1',
                           '--iterations', '2')
        short, longer, spread = rows[('list', 'a')]
        # the benchmark directory's name is 3 characters longer
        self.assertEqual(int(longer) - int(short), 3)
        self.assertEqual(float(spread), round(int(longer) / int(short), 2))
        self.assertEqual(rows[('list', 'b')], rows[('list', 'a')])


if __name__ == '__main__':
    unittest.main()
