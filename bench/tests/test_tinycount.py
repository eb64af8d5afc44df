"""bench/tinycount.py against the fake VM under a fake callgrind: one
process per history and setup, its timed rounds per bytecode and per
send, the histories' spread, and answers that are checked."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import harness  # noqa: E402
import tinycount  # noqa: E402

FAKE_VM = '%s %s {image} {files}' % (sys.executable,
                                     os.path.join(HERE, 'fake_vm.py'))
FAKE_VALGRIND = '%s %s' % (sys.executable,
                           os.path.join(HERE, 'fake_valgrind.py'))
SMALL = ['--sieve', '2', '--fib', '10', '--warm', '1', '--rounds', '3']
SUITE = len([b for b in harness.BENCHMARKS if b != harness.TINY])


def run_tinycount(*args):
    """(exit status, {vm: {history: [words]}}, failure lines)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = tinycount.main(['--valgrind', FAKE_VALGRIND] + list(args))
    tables, failures, vm = {}, [], None
    for line in out.getvalue().splitlines()[1:]:
        if line.startswith('failed: '):
            failures.append(line)
        elif not line.startswith(' '):
            vm = line.rstrip(':')
            tables[vm] = {}
        elif not line.strip().startswith('history'):
            name, rest = line[:21].strip(), line[21:].split()
            tables[vm][name] = rest
    return status, tables, failures


class TinycountTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.tmp.name, 'fake.image')
        open(self.image, 'w').close()

    def tearDown(self):
        self.tmp.cleanup()
        os.environ.pop('FAKE_NO_DUMPS', None)

    def test_bench_fib_counts_the_sends(self):
        # the image's own check (tests/smalltalk/01-integers.st)
        self.assertEqual(tinycount.bench_fib(28), 1028457)
        self.assertEqual([tinycount.bench_fib(n) for n in range(5)],
                         [1, 1, 3, 5, 9])

    def test_per_bytecode_and_per_send_by_history(self):
        # the fake VM's work costs (benchmarks run before + 1) times 1
        # instruction per bytecode and 1,000 per send; "after the suite"
        # ran every suite benchmark once before it
        status, tables, failures = run_tinycount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, '--jobs', '3',
            *SMALL)
        self.assertEqual((status, failures), (0, []))
        rows = tables['fake']
        self.assertEqual(rows['alone'], ['1.000', '1000.000'])
        self.assertEqual(rows['after runner.st'], ['1.000', '1000.000'])
        after = SUITE + 1
        self.assertEqual(rows['after the suite'],
                         ['%.3f' % after, '%.3f' % (1000.0 * after)])
        self.assertEqual(rows['worst/best'], ['%.2f' % (1.0 / after)] * 2)

    def test_setups_are_draws_shown_as_median_and_range(self):
        # setup 1 files in a pad line of one iteration: one "benchmark"
        # more before the work, twice the cost where none ran before
        status, tables, _ = run_tinycount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, '--setups', '2',
            *SMALL)
        self.assertEqual(status, 0)
        self.assertEqual(tables['fake']['alone'],
                         ['1.500', '(1.000-2.000)', '1500.000',
                          '(1000.000-2000.000)'])

    def test_a_wrong_answer_is_reported_not_counted(self):
        wrong = 'FAKE_WRONG=fib ' + FAKE_VM
        status, tables, failures = run_tinycount(
            '--image', self.image, '--vm', 'ok=' + FAKE_VM,
            '--vm', 'bad=' + wrong, *SMALL)
        self.assertEqual(status, 1)
        self.assertEqual(tables['ok']['alone'], ['1.000', '1000.000'])
        self.assertEqual(tables['bad']['alone'], ['FAILED', 'FAILED'])
        self.assertNotIn('worst/best', tables['bad'])
        self.assertEqual(len(failures), 3)      # one per history
        self.assertIn('TINYCOUNT fib', failures[0])

    def test_a_vm_that_never_reads_the_clock_is_a_failure(self):
        os.environ['FAKE_NO_DUMPS'] = '1'
        status, _, failures = run_tinycount(
            '--image', self.image, '--vm', 'fake=' + FAKE_VM, *SMALL)
        self.assertEqual(status, 1)
        self.assertIn('callgrind wrote too few parts', failures[0])


if __name__ == '__main__':
    unittest.main()
