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
        if line.startswith('  marked:'):
            rows[last + ('marked',)] = line.split(':', 1)[1].strip()
            continue
        last = (words[0], words[1])
        rows[last] = words[2:]
    return rows


class LotteryTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'fake.image')
        open(self.image, 'w').close()

    def tearDown(self):
        self.tmp.cleanup()
        for name in ('FAKE_BY_PATH', 'FAKE_RUN_COUNTER', 'FAKE_MARK'):
            os.environ.pop(name, None)

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

    def test_repeats_show_the_median_and_what_reruns_draw(self):
        """Each run of this fake is 1 ms slower per iteration than the one
        before: three processes of one cell give 30, 31 and 32 ms."""
        os.environ['FAKE_RUN_COUNTER'] = os.path.join(self.tmp.name, 'n')
        rows = run_lottery('--image', self.image, '--vm', 'fake=' + FAKE_VM,
                           '-b', 'list', '--lengths', '1', '--scale', '1',
                           '--iterations', '2', '--repeats', '3')
        self.assertEqual(rows[('list', 'fake')], ['31', '1.00', '1.07'])

    def test_rounds_interleave_the_path_lengths(self):
        os.environ['FAKE_RUN_COUNTER'] = os.path.join(self.tmp.name, 'n')
        rows = run_lottery('--image', self.image, '--vm', 'fake=' + FAKE_VM,
                           '-b', 'list', '--lengths', '1,2', '--scale', '1',
                           '--iterations', '2', '--repeats', '2')
        # runs 0 and 2 at length 1, runs 1 and 3 at length 2
        self.assertEqual(rows[('list', 'fake')], ['31', '32', '1.03', '1.07'])

    def test_marks_name_what_rpython_marked_in_how_many_processes(self):
        os.environ['FAKE_MARK'] = 'BenchList>>tail:with:with::4'
        rows = run_lottery('--image', self.image, '--vm', 'fake=' + FAKE_VM,
                           '-b', 'list', '--lengths', '2,5', '--scale', '1',
                           '--iterations', '2', '--repeats', '2', '--marks')
        self.assertEqual(rows[('list', 'fake', 'marked')],
                         'BenchList>>tail:with:with: in 2/4 (length 5)')

    def test_marks_say_when_nothing_was_marked(self):
        rows = run_lottery('--image', self.image, '--vm', 'fake=' + FAKE_VM,
                           '-b', 'list', '--lengths', '2', '--scale', '1',
                           '--iterations', '2', '--marks')
        self.assertEqual(rows[('list', 'fake', 'marked')],
                         'nothing in 1 process')

    def test_read_marks_keeps_each_method_once(self):
        log = os.path.join(self.tmp.name, 'log')
        with open(log, 'w') as f:
            f.write('[1] {jit-disableinlining\n'
                    'disabled inlining A>>b @0 PushSelf\n'
                    '[2] jit-disableinlining}\n'
                    'disabled inlining C>>d: @4 SendBinary 2\n'
                    'disabled inlining A>>b @0 PushSelf\n')
        self.assertEqual(lottery.read_marks(log), ['A>>b', 'C>>d:'])
        self.assertEqual(lottery.read_marks(log + '.missing'), [])


if __name__ == '__main__':
    unittest.main()
