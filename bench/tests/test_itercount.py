"""bench/itercount.py against the fake VM under a fake callgrind: the
dumps at the clock reads become each iteration's count, cut and spread
as the harness cuts and spreads times."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import itercount  # noqa: E402

FAKE_VM = '%s %s {image} {files}' % (sys.executable,
                                     os.path.join(HERE, 'fake_vm.py'))
FAKE_VALGRIND = '%s %s' % (sys.executable,
                           os.path.join(HERE, 'fake_valgrind.py'))


def run_itercount(*args):
    """(exit status, {(benchmark, vm): (words, every iteration)},
    failure lines)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = itercount.main(['--valgrind', FAKE_VALGRIND] + list(args))
    rows, failures, last = {}, [], None
    for line in out.getvalue().splitlines()[2:]:
        if line.startswith('failed: '):
            failures.append(line)
        elif line.startswith('    '):
            rows[last] = (rows[last][0], line.split())
        else:
            words = line.split()
            last = (words[0], words[2])
            rows[last] = (words[3:], None)
    return status, rows, failures


class ItercountTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'fake.image')
        open(self.image, 'w').close()

    def tearDown(self):
        self.tmp.cleanup()
        os.environ.pop('FAKE_NO_DUMPS', None)

    def test_every_iteration_is_counted(self):
        # 4,000 ms per iteration of list at size 4,000: 4M instructions;
        # the warm-up's 3x and 2x are cut as the harness cuts them
        status, rows, _ = run_itercount(
            '--image', self.image, '--vm', 'fake=FAKE_WARMUP=3 ' + FAKE_VM,
            '-b', 'list', '--size', 'list=4000', '--iterations', '6')
        self.assertEqual(status, 0)
        words, every = rows[('list', 'fake')]
        self.assertEqual(words, ['3-6', '4.00', '4.00', '4.00', '0.0', '0', '0', '0.0'])
        self.assertEqual(every, ['12.0', '8.0', '4.0', '4.0', '4.0', '4.0'])

    def test_a_wandering_steady_state_shows_its_spread(self):
        # even iterations take 20 % more: median 4.4M, +-9.1 %
        status, rows, _ = run_itercount(
            '--image', self.image, '--vm', 'a=' + FAKE_VM,
            '--vm', 'b=FAKE_EVERY_OTHER=20 ' + FAKE_VM, '-b', 'sieve',
            '--size', 'sieve=4000', '--iterations', '6', '--jobs', '2')
        self.assertEqual(status, 0)
        self.assertEqual(rows[('sieve', 'a')][0][4:], ['0.0', '0', '0', '0.0'])
        words, every = rows[('sieve', 'b')]
        self.assertEqual(words, ['1-6', '4.40', '4.00', '4.80', '9.1', '0', '0', '9.1'])
        self.assertEqual(every, ['4.0', '4.8'] * 3)

    def test_iterations_where_the_jit_or_the_gc_worked_are_marked(self):
        # the slow even iterations ran a major collection's step: the
        # quiet iterations (neither mark) do not wander
        template = ('PYPYLOG=gc-collect-step:- FAKE_EVERY_OTHER=20 '
                    'FAKE_GC_AT=2,4,6 FAKE_JIT_AT=1,3 ' + FAKE_VM)
        status, rows, _ = run_itercount(
            '--image', self.image, '--vm', 'b=' + template, '-b', 'sieve',
            '--size', 'sieve=4000', '--iterations', '6')
        self.assertEqual(status, 0)
        words, every = rows[('sieve', 'b')]
        self.assertEqual(words, ['1-6', '4.40', '4.00', '4.80', '9.1', '2',
                                 '3', '0.0'])
        self.assertEqual(every, ['4.0J', '4.8G', '4.0J', '4.8G', '4.0',
                                 '4.8G'])

    def test_a_vm_that_never_reads_the_clock_is_a_failure(self):
        os.environ['FAKE_NO_DUMPS'] = '1'
        status, rows, failures = run_itercount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, '-b', 'list',
            '--size', 'list=10', '--iterations', '3')
        self.assertEqual(status, 1)
        self.assertEqual(rows[('list', 'fake')][0], ['FAILED'])
        self.assertIn('fewer than 7 parts', failures[0])

    def test_a_failed_check_is_reported_not_counted(self):
        status, rows, failures = run_itercount(
            '--image', self.image, '--vm', 'bad=FAKE_FAIL=BenchList ' + FAKE_VM,
            '-b', 'list', '--size', 'list=10', '--iterations', '2')
        self.assertEqual(status, 1)
        self.assertIn('list on bad', failures[0])

    def test_the_parts_are_read_in_their_order(self):
        # part 10 sorts after part 9, and the end of the run is the last
        out = os.path.join(self.tmp.name, 'cg.out')
        totals = list(range(100, 1200, 100))
        for n, total in enumerate(totals, 1):
            path = out if n == len(totals) else '%s.%d' % (out, n)
            with open(path, 'w') as f:
                f.write('part: %d\ntotals: %d\n' % (n, total))
        parts = itercount.read_parts(out)
        self.assertEqual(parts, totals)
        # 3 iterations: parts 6, 8 and 10 of 11; 7 and 9 are the gaps
        # between them, 11 the end of the run
        self.assertEqual(itercount.iterations_of(parts, 3), [600, 800, 1000])
        self.assertIsNone(itercount.iterations_of(parts, 6))


if __name__ == '__main__':
    unittest.main()
