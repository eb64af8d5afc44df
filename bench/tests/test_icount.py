"""bench/icount.py against the fake VM under a fake valgrind: instruction
totals of two processes per VM, their difference per iteration, ratios."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import icount  # noqa: E402

FAKE_VM = '%s %s {image} {files}' % (sys.executable,
                                     os.path.join(HERE, 'fake_vm.py'))
FAKE_VALGRIND = '%s %s' % (sys.executable,
                           os.path.join(HERE, 'fake_valgrind.py'))


def run_icount(*args):
    """(exit status, {(benchmark): words after it}, failure lines)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = icount.main(['--valgrind', FAKE_VALGRIND] + list(args))
    rows, failures = {}, []
    for line in out.getvalue().splitlines()[2:]:
        if line.startswith('failed: '):
            failures.append(line)
        else:
            words = line.split()
            rows[words[0]] = words[1:]
    return status, rows, failures


class IcountTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'fake.image')
        open(self.image, 'w').close()

    def tearDown(self):
        self.tmp.cleanup()
        os.environ.pop('FAKE_NO_SUMMARY', None)
        os.environ.pop('FAKE_BY_PATH', None)

    def test_an_iteration_costs_the_difference_of_the_two_runs(self):
        # the fake valgrind counts 5M + 1,000 per ms; an iteration of list
        # at size 40 takes 40 ms, so 40,000 instructions = 0.04M
        status, rows, _ = run_icount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, '-b', 'list',
            '--size', 'list=40', '--iterations', '2,5', '--jobs', '2')
        self.assertEqual(status, 0)
        self.assertEqual(rows['list'], ['40', '0.04'])

    def test_warm_up_before_the_first_count_cancels_out(self):
        # iterations 1-3 are 4x, 3x, 2x slower; both runs contain them
        template = 'FAKE_WARMUP=3 ' + FAKE_VM
        status, rows, _ = run_icount(
            '--image', self.image, '--vm', 'warm=' + template, '-b', 'sieve',
            '--size', 'sieve=1000', '--iterations', '3,7')
        self.assertEqual(status, 0)
        self.assertEqual(rows['sieve'], ['1000', '1.00'])

    def test_ratio_over_the_baseline_and_environment_words(self):
        # VM b takes twice the ms per unit: twice the instructions
        slow = 'FAKE_MS_BenchList=2 ' + FAKE_VM
        status, rows, _ = run_icount(
            '--image', self.image, '--vm', 'a=' + FAKE_VM, '--vm', 'b=' + slow,
            '-b', 'list', '--scale', '10', '--iterations', '1,3')
        self.assertEqual(status, 0)
        # list's default size is 30: 300 at --scale 10
        self.assertEqual(rows['list'], ['300', '0.30', '0.60', '0.500'])

    def test_path_lengths_are_draws_shown_as_median_and_range(self):
        # the fake VM's iterations take as many ms more as the first
        # file's path is long: 1,000 instructions per character
        os.environ['FAKE_BY_PATH'] = '1'
        status, rows, _ = run_icount(
            '--image', self.image, '--vm', 'a=' + FAKE_VM, '--vm',
            'b=FAKE_MS_BenchList=2 ' + FAKE_VM, '-b', 'list',
            '--size', 'list=1000', '--iterations', '1,2',
            '--lengths', '1,51,101', '--jobs', '3')
        self.assertEqual(status, 0)
        size, a_median, a_range, b_median, b_range, ratio = rows['list']
        self.assertEqual(size, '1000')
        low, high = [float(x) for x in a_range.strip('()').split('-')]
        self.assertAlmostEqual(high - low, 0.10, delta=0.011)  # 2 decimals
        self.assertAlmostEqual(float(a_median) - low, 0.05, delta=0.011)
        low_b = float(b_range.strip('()').split('-')[0])
        # b: 2 ms per unit, the same path lengths
        self.assertAlmostEqual(low_b - low, 1.00, delta=0.011)
        self.assertAlmostEqual(float(ratio), float(a_median) / float(b_median),
                               delta=0.002)

    def test_a_failed_check_is_reported_not_counted(self):
        failing = 'FAKE_FAIL=BenchList ' + FAKE_VM
        status, rows, failures = run_icount(
            '--image', self.image, '--vm', 'ok=' + FAKE_VM,
            '--vm', 'bad=' + failing, '-b', 'list', '--size', 'list=20',
            '--iterations', '1,2')
        self.assertEqual(status, 1)
        self.assertEqual(rows['list'], ['20', '0.02', 'FAILED', '-'])
        self.assertEqual(len(failures), 1)
        self.assertIn('list on bad', failures[0])

    def test_no_summary_from_valgrind_is_a_failure(self):
        os.environ['FAKE_NO_SUMMARY'] = '1'
        status, rows, failures = run_icount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, '-b', 'list',
            '--size', 'list=5', '--iterations', '1,2')
        self.assertEqual(status, 1)
        self.assertIn('no cachegrind summary', failures[0])

    def test_valgrind_goes_after_the_environment_words(self):
        cmd = icount.with_valgrind('A=1 B=x ./spy img f.st', 'valgrind',
                                   '/tmp/cg.out')
        self.assertIn('; A=1 B=x valgrind --tool=cachegrind --cache-sim=no '
                      '--cachegrind-out-file=/tmp/cg.out ./spy img f.st', cmd)
        self.assertTrue(cmd.startswith('ulimit -s'))


if __name__ == '__main__':
    unittest.main()
