"""Python 3 tests of the benchmark harness, the reference-VM wrapper and the
profile reader (run by tests/test_bench_tools.py, or directly:
`python3 -m unittest discover -s bench/tests -t .`)."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import harness  # noqa: E402
import refvm  # noqa: E402
import report  # noqa: E402
import floor  # noqa: E402
import clock  # noqa: E402
import procs  # noqa: E402
import profile_report  # noqa: E402

FAKE_VM = '%s %s {image} {files}' % (sys.executable, os.path.join(HERE, 'fake_vm.py'))


def has_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


class ParseOutputTest(unittest.TestCase):
    def test_times_status_and_prefixed_lines(self):
        text = ('junk\nvm/gui: BENCH-START list 3 2\n[log] BENCH list 2 17\nBENCH list 1 40\n'
                'BENCH list2 1 999\nBENCH-OK list\n')
        times, ok, fails, tiny, started = harness.parse_output(text, 'list')
        self.assertEqual(times, [40, 17])
        self.assertTrue(ok and started)
        self.assertEqual(fails, [])

    def test_failures_and_other_benchmarks(self):
        text = 'BENCH sieve 1 5\nBENCH-FAIL sieve 1 nil\nBENCH-OK towers\n'
        times, ok, fails, _, _ = harness.parse_output(text, 'sieve')
        self.assertEqual((times, ok, fails), ([5], False, ['1 nil']))

    def test_tiny_lines_repeated_by_whole_transcript_updates(self):
        text = ('TINY 1 100 bytecodes/sec; 10 sends/sec\n' * 3
                + 'TINY 2 200 bytecodes/sec; 20 sends/sec\n')
        self.assertEqual(harness.parse_output(text, 'tinyBenchmarks')[3],
                         [[100, 10], [200, 20]])

    def test_jit_events_per_iteration(self):
        text = ('JIT-EVENT compile loop 40 1.5\nBENCH-START list 3 3\n'
                'JIT-EVENT compile loop 1306 10.0\nJIT-EVENT abort 3 12.5\nBENCH list 1 40\n'
                'BENCH list 2 17\nJIT-EVENT compile bridge 88 20.0\nBENCH list 3 30\n'
                'BENCH-OK list\n')
        self.assertEqual(harness.parse_marks(text, 'list'),
                         ([[2, 11.0], [0, 0.0], [1, 7.5]], None))
        self.assertEqual(harness.parse_output(text, 'list')[0], [40, 17, 30])
        self.assertEqual(harness.parse_marks('BENCH list 1 40\n', 'list'), (None, None))

    def test_gc_steps_per_iteration(self):
        text = ('[1a] {gc-collect-step\nstarting gc state:  SCANNING\n[1b] gc-collect-step}\n'
                'BENCH-START list 3 3\nBENCH list 1 40\n'
                '[2a] {gc-collect-step\nstarting gc state:  MARKING\n[2b] gc-collect-step}\n'
                '[3a] {gc-collect-step\nstarting gc state:  SWEEPING\n[3b] gc-collect-step}\n'
                'BENCH list 2 17\nBENCH list 3 30\nBENCH-OK list\n')
        self.assertEqual(harness.parse_marks(text, 'list'), (None, [0, 2, 0]))
        both = text.replace('BENCH list 2 17', 'JIT-EVENT compile bridge 9 3.5\nBENCH list 2 17')
        self.assertEqual(harness.parse_marks(both, 'list'),
                         ([[0, 0.0], [1, 3.5], [0, 0.0]], [0, 2, 0]))
        # the command logged the steps, and there was no major collection
        self.assertEqual(harness.parse_marks('BENCH-START list 3 1\nBENCH list 1 40\n',
                                             'list', gc_logged=True), (None, [0]))
        # the log's lines are no error message
        self.assertEqual(harness.error_excerpt(text.replace('BENCH-OK list\n', '')),
                         'BENCH list 1 40 | BENCH list 2 17 | BENCH list 3 30')

    def test_run_cc_plain_tiny_line(self):
        text = '12345 bytecodes/sec; 678 sends/sec\n'
        self.assertEqual(harness.parse_output(text, 'tinyBenchmarks')[3], [[12345, 678]])


class ClockTest(unittest.TestCase):
    """bench/clock.py: iterations timed by the arrival of the lines."""

    STAMPS = [(0.100, '(System started)\n'), (0.200, 'BENCH-START towers 40 3\n'),
              (0.2055, 'BENCH towers 1 5\n'), (0.2063, 'JIT-EVENT compile loop 12 3.0\n'),
              (0.21175, 'BENCH towers 2 6\n'), (0.2172, 'BENCH towers 3 5\n'),
              (0.2173, 'BENCH list 1 9\n'), (0.2174, 'BENCH-OK towers\n')]

    def test_line_times(self):
        # from BENCH-START to BENCH 1, then line to line; other lines and
        # other benchmarks' lines do not count
        self.assertEqual(clock.line_times(self.STAMPS, 'towers'), [5.5, 6.25, 5.45])
        # a VM that prints its Transcript again: a repeated line counts once
        again = self.STAMPS + [(0.300, 'BENCH towers 3 5\n')]
        self.assertEqual(clock.line_times(again, 'towers'), [5.5, 6.25, 5.45])
        self.assertEqual(clock.line_times(self.STAMPS, 'sieve'), [])

    def test_choose_times(self):
        vm = [5, 6, 5]
        self.assertEqual(clock.choose_times('lines', vm, self.STAMPS, 'towers'),
                         ([5.5, 6.25, 5.45], 'lines', [5.5, 6.25, 5.45]))
        # the default clock is the VM's; the line times still come back
        self.assertEqual(clock.choose_times('vm', vm, self.STAMPS, 'towers'),
                         (vm, 'vm', [5.5, 6.25, 5.45]))
        # output that arrived at once (buffered): nothing agrees, the VM's ms
        buffered = [(1.0, line) for _, line in self.STAMPS]
        self.assertEqual(clock.choose_times('lines', vm, buffered, 'towers'),
                         (vm, 'vm', [0.0, 0.0, 0.0]))
        # one of three iterations off by 3 ms is more than a tenth
        self.assertEqual(clock.choose_times('lines', [5, 9, 5], self.STAMPS, 'towers')[1], 'vm')
        # lines missing: the VM's
        self.assertEqual(clock.choose_times('lines', [5, 6, 5, 5], self.STAMPS, 'towers')[1],
                         'vm')


class StampTest(unittest.TestCase):
    """procs.run_process notes when each line of stdout arrives."""

    def test_lines_and_their_times(self):
        res = procs.run_process("echo a; echo b >&2; sleep 0.2; printf 'c\\nd'", 30)
        self.assertEqual([line for _, line in res.stamps], ['a\n', 'c\n', 'd'])
        (ta, _), (tc, _), (td, _) = res.stamps
        self.assertGreater(tc - ta, 0.1)        # the sleep between them
        self.assertLessEqual(tc, td)
        self.assertEqual(res.text, 'a\nc\nd\nb\n')
        self.assertEqual(res.rc, 0)

    def test_timeout_still_kills(self):
        res = procs.run_process('echo started; sleep 30', 0.5)
        self.assertTrue(res.timed_out)
        self.assertLess(res.seconds, 10)
        self.assertEqual(res.stamps[0][1], 'started\n')


class MaxRssTest(unittest.TestCase):
    """procs.run_process and bench/maxrss.c: a small command's max RSS is
    its own, not the size of the (large) process that started it."""

    def test_small_command_under_a_large_parent(self):
        big = bytearray(150 * 1024 * 1024)
        for i in range(0, len(big), 4096):
            big[i] = 1                  # touched: resident in this process
        with tempfile.TemporaryDirectory() as tmp:
            helper = procs.build_rss_helper(tmp)
            self.assertIsNotNone(helper, 'bench/maxrss.c did not build')
            env = dict(os.environ, TMPDIR=tmp)
            plain = procs.run_process('true', 30)
            own = procs.run_process('true', 30, env=env, rss_helper=helper)
            failing = procs.run_process('echo out; exit 3', 30, env=env, rss_helper=helper)
            self.assertEqual(os.listdir(tmp), ['maxrss'])     # no result file left
        # without the helper Linux reports this process's 150 MB
        self.assertGreater(plain.maxrss_kb, 150 * 1024)
        self.assertLess(own.maxrss_kb, 20 * 1024)
        self.assertEqual((own.rc, failing.rc), (0, 3))
        self.assertIn('out', failing.text)
        del big


class NativeListTest(unittest.TestCase):
    """bench/native/list.c, list.st in C, speaks the runner's protocol."""

    def test_runs_the_driver_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, 'list')
            subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-o', exe,
                            os.path.join(BENCH, 'native', 'list.c')], check=True)
            driver = os.path.join(tmp, 'driver.st')
            with open(driver, 'w') as f:
                f.write('EVAL BenchRunner run: BenchList iterations: 3 size: 20\n')
            out = subprocess.run([exe, 'image', os.path.join(BENCH, 'runner.st'), driver],
                                 stdout=subprocess.PIPE, universal_newlines=True, check=True)
            times, ok, fails, _tiny, started = harness.parse_output(out.stdout, 'list')
            self.assertTrue(started and ok)
            self.assertEqual((len(times), fails), (3, []))
            self.assertIn('BENCH-START list 20 3', out.stdout)
            bad = subprocess.run([exe, 'image', os.path.join(BENCH, 'list.st')],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 universal_newlines=True)
            self.assertEqual(bad.returncode, 2)
            self.assertIn('no driver line', bad.stderr)


class CalibrateTest(unittest.TestCase):
    def test_grows_until_min_reaches_target(self):
        seen = []

        def measure(size):
            seen.append(size)
            return [size * 2.0, size * 2.2, size * 2.1]
        size, trace = harness.calibrate(measure, 3, 50)
        self.assertGreaterEqual(size * 2.0, 2.0 * 50)
        self.assertGreaterEqual(size * 2.1, 2.4 * 50)
        self.assertEqual([s for s, _ in trace], seen)
        self.assertLess(size, 300)                 # no wild overshoot

    def test_keeps_a_size_that_is_already_long_enough(self):
        size, trace = harness.calibrate(lambda s: [150.0, 170.0], 7, 50)
        self.assertEqual((size, len(trace)), (7, 1))

    def test_zero_ms_and_failures(self):
        size, trace = harness.calibrate(lambda s: [0] if s < 1000 else [80, 80], 1, 50)
        self.assertGreaterEqual(size, 1000)
        size, trace = harness.calibrate(lambda s: None, 5, 50)
        self.assertEqual((size, trace), (5, [(5, None)]))


class PerVmCalibrationTest(unittest.TestCase):
    def test_next_size_grows_shrinks_and_accepts(self):
        self.assertEqual(harness.next_size(10, 150.0, 110.0, 50, high=4), None)
        self.assertGreater(harness.next_size(10, 20.0, 18.0, 50, high=4), 10)
        # far above the target: shrink towards 2 x target, never below 1
        self.assertEqual(harness.next_size(10, 1000.0, 900.0, 50, high=4), 2)
        self.assertEqual(harness.next_size(3, 1000.0, 900.0, 50, high=4), 1)
        self.assertEqual(harness.next_size(40, 1000.0, 900.0, 50, high=4), 8)
        # size 1 cannot shrink: accepted however long
        self.assertEqual(harness.next_size(1, 5000.0, 4000.0, 50, high=4), None)
        # without `high` (one calibration VM), long iterations are accepted
        self.assertEqual(harness.next_size(40, 1000.0, 900.0, 50), None)

    def test_calibrate_shrinks_with_high(self):
        size, trace = harness.calibrate(lambda s: [s * 30.0] * 3, 50, 50, high=4)
        self.assertLessEqual(size * 30.0, 4 * 50)
        self.assertGreaterEqual(size * 30.0, 2.4 * 50)
        self.assertEqual(trace[0], (50, 1500.0))

    def test_linearity_factor(self):
        self.assertEqual(harness.linearity_factor({'a': 132, 'b': 1}), 8)
        self.assertEqual(harness.linearity_factor({'a': 30, 'b': 10}), 3)
        self.assertEqual(harness.linearity_factor({'a': 5, 'b': 5}), 2)

    def test_size_guess_from_other_benchmarks(self):
        g = harness.SizeGuess(50)
        self.assertEqual(g.guess('slow', 'list', 7), 7)      # nothing known: the default
        g.learn('fast', 'richards', 100, 100.0, reference=True)   # 1 ms/unit
        g.learn('slow', 'richards', 10, 80.0, reference=False)    # 8 ms/unit: 8 x slower
        g.learn('fast', 'list', 50, 100.0, reference=True)        # 2 ms/unit
        # 16 ms/unit expected: 4 x 50 ms / 16
        self.assertIn(g.guess('slow', 'list', 7), (12, 13))
        self.assertEqual(g.guess('slow', 'sieve', 7), 7)     # reference not measured yet


class SteadyStateTest(unittest.TestCase):
    def test_warm_up_prefix_is_cut(self):
        times = [800, 180, 120, 70, 64, 60, 62, 61, 60, 63]
        self.assertEqual(report.steady_start(times, 0.5), 3)
        self.assertEqual(report.steady(times, 0.5), times[3:])

    def test_no_warm_up_keeps_everything(self):
        self.assertEqual(report.steady([50, 52, 49, 51], 0.5), [50, 52, 49, 51])

    def test_slow_iterations_in_the_last_fraction_stay(self):
        # a late spike (a major GC) is never dropped
        times = [60, 61, 59, 60, 62, 61, 60, 120]
        self.assertEqual(report.steady(times, 0.5), times)
        # and the last `fraction` always counts, however slow
        self.assertEqual(report.steady([100, 900, 100, 800], 0.5), [100, 800])

    def test_fraction_one_counts_every_iteration(self):
        self.assertEqual(report.steady([500, 50, 50], 1.0), [500, 50, 50])


class ReportTest(unittest.TestCase):
    def cell(self, *runs):
        return {'runs': [dict(process=i + 1, status='ok', times=t, maxrss_kb=1024 * (i + 1))
                         for i, t in enumerate(runs)]}

    def test_summary_spread_speedup_and_tables(self):
        results = {'list': {'a': self.cell([90, 40, 50, 60], [80, 45, 50, 55]),
                            'b': self.cell([400, 400, 500, 600])}}
        geo = report.summarize(results, ['a', 'b'], ['list'], 'b', 0.5, {'list': 7})
        a = results['list']['a']
        # the first iteration of each process (> 1.25 x the median of the
        # last half) is warm-up; 40 and 45 stay
        self.assertEqual(a['warmup_iterations'], [1, 1])
        self.assertEqual((a['min_ms'], a['median_ms'], a['max_ms']), (40, 50, 60))
        self.assertAlmostEqual(a['spread_pct'], 20.0)
        self.assertEqual(a['warmup_curve_ms'], [85, 42.5, 50, 57.5])
        self.assertEqual(a['maxrss_kb'], 2048)
        # b: no iteration is 1.25 x slower than its last half: all 4 count
        self.assertEqual(results['list']['b']['median_ms'], 450)
        self.assertAlmostEqual(a['speedup'], 450 / 50.0)
        self.assertAlmostEqual(geo['a'], 450 / 50.0)
        meta = {'vm_order': ['a', 'b'], 'benchmarks': ['list'], 'sizes': {'list': 7},
                'baseline': 'b', 'steady_fraction': 0.5, 'calibrate_ms': 41,
                'vms': {'a': 'A', 'b': 'B'}, 'startup': {'a': {'ms': 9.5, 'maxrss_kb': 10240}}}
        text = report.full_report(meta, results, geo)
        rows = [line.split() for line in text.splitlines()]
        self.assertIn(['list', 'a', '7', '2', '6', '1,1', '40!', '50', '60', '20', '7.14', '85',
                       '-', '2', '-', '-', '-', '-'], rows)
        self.assertIn(['list', '9.00', '(7)', '1.00', '(7)'], rows)
        md = report.full_report(meta, results, geo, report.render_markdown)
        self.assertIn('| list | a | 7 | 2 | 6 | 1,1 | 40! | 50 | 60 | 20 | 7.14 | 85 | - | 2 | - | - | - | - |',
                      md)
        self.assertIn('| a | 9.5 | 10 | 2 | A |', md)

    def test_speedup_per_unit_of_size(self):
        # a ran size 20 in 100 ms (5 ms/unit), b size 2 in 100 ms (50 ms/unit)
        results = {'list': {'a': self.cell([100, 100]), 'b': self.cell([100, 100])}}
        geo = report.summarize(results, ['a', 'b'], ['list'], 'b', 0.5,
                               {'list': {'a': 20, 'b': 2}})
        self.assertAlmostEqual(results['list']['a']['ms_per_unit'], 5.0)
        self.assertAlmostEqual(results['list']['a']['speedup'], 10.0)
        self.assertAlmostEqual(geo['a'], 10.0)
        meta = {'vm_order': ['a', 'b'], 'benchmarks': ['list'],
                'sizes': {'list': {'a': 20, 'b': 2}}, 'baseline': 'b', 'steady_fraction': 0.5,
                'vms': {'a': 'A', 'b': 'B'},
                'linearity': [{'bench': 'list', 'vm': 'b', 'size': 2, 'size2': 4,
                               'ms_per_unit': 50.0, 'ms_per_unit2': 70.0}]}
        text = report.full_report(meta, results, geo)
        rows = [line.split() for line in text.splitlines()]
        # the table names each VM's size; ~ flags the failed linearity check
        self.assertIn(['list', '~', '10.00', '(20)', '1.00', '(2)'], rows)
        self.assertIn(['list', 'b', '2', '50', '4', '70', '1.40', 'NO'], rows)

    def test_iterations_in_which_the_jit_worked(self):
        # spy --jit-events: process 1's iteration 5 compiled (a late compile,
        # 30 ms); the spread of the other steady iterations is 10 %
        cell = self.cell([90, 50, 52, 55, 80, 45], [85, 50, 50, 52, 48, 50])
        cell['runs'][0]['jit'] = [[9, 40.0], [0, 0.0], [0, 0.0], [0, 0.0], [2, 30.0], [0, 0.0]]
        cell['runs'][1]['jit'] = [[9, 38.0], [1, 0.5], [0, 0.0], [0, 0.0], [0, 0.0], [0, 0.0]]
        results = {'list': {'a': cell}}
        report.summarize(results, ['a'], ['list'], None, 0.5)
        a = results['list']['a']
        self.assertEqual(a['warmup_iterations'], [1, 1])
        self.assertAlmostEqual(a['spread_pct'], 60.0)
        self.assertEqual(a['jit_iterations'], 2)
        # JIT time in the steady iterations: 30 ms and 0.5 ms, median 15.25
        self.assertAlmostEqual(a['steady_jit_ms'], 15.25)
        self.assertAlmostEqual(a['quiet_spread_pct'], 10.0)
        meta = {'vm_order': ['a'], 'benchmarks': ['list'], 'sizes': {'list': 7},
                'baseline': None, 'steady_fraction': 0.5, 'vms': {'a': 'A'}}
        rows = [line.split() for line in report.full_report(meta, results, {}).splitlines()]
        self.assertIn(['60', '2', '15', '-', '10'],
                      [r[9:10] + r[-4:] for r in rows if r[:2] == ['list', 'a']])
        self.assertNotIn('gc_iterations', a)

    def test_iterations_with_a_major_collection(self):
        # PYPYLOG=gc-collect-step: process 2's iteration 4 ran a major
        # collection (70 ms); process 1's iteration 3 compiled
        cell = self.cell([90, 50, 75, 52, 48], [85, 50, 50, 70, 50])
        cell['runs'][0]['jit'] = [[5, 9.0], [0, 0.0], [1, 20.0], [0, 0.0], [0, 0.0]]
        cell['runs'][1]['jit'] = [[5, 9.0], [0, 0.0], [0, 0.0], [0, 0.0], [0, 0.0]]
        cell['runs'][0]['gc'] = [3, 0, 0, 0, 0]
        cell['runs'][1]['gc'] = [3, 0, 0, 6, 0]
        results = {'list': {'a': cell}}
        report.summarize(results, ['a'], ['list'], None, 0.5)
        a = results['list']['a']
        self.assertEqual((a['jit_iterations'], a['gc_iterations']), (1, 1))
        # quiet: 50 52 48 50 50 50
        self.assertAlmostEqual(a['quiet_spread_pct'], 4.0)

    def test_no_jit_figures_unless_every_process_has_events(self):
        cell = self.cell([50, 50], [50, 50])
        cell['runs'][0]['jit'] = [[0, 0.0], [0, 0.0]]
        results = {'list': {'a': cell}}
        report.summarize(results, ['a'], ['list'], None, 0.5)
        self.assertNotIn('jit_iterations', results['list']['a'])

    def test_cpu_over_wall(self):
        cell = self.cell([100, 100])
        cell['runs'][0].update(wall_s=2.0, cpu_s=1.0)
        results = {'list': {'a': cell}}
        report.summarize(results, ['a'], ['list'], None, 0.5)
        self.assertAlmostEqual(results['list']['a']['cpu_wall'], 0.5)

    def test_failed_and_not_run_cells(self):
        results = {'sieve': {'a': {'runs': [{'process': 1, 'status': 'failed', 'times': [],
                                             'error': 'boom'}]},
                             'b': {'runs': [{'process': 1, 'status': 'not run', 'times': []}]}}}
        report.summarize(results, ['a', 'b'], ['sieve'], None, 0.5)
        self.assertEqual(results['sieve']['a']['status'], 'failed')
        self.assertEqual(results['sieve']['b']['status'], 'not run')
        meta = {'vm_order': ['a', 'b'], 'benchmarks': ['sieve'], 'sizes': {}, 'baseline': None,
                'steady_fraction': 0.5, 'vms': {'a': 'A', 'b': 'B'}}
        text = report.full_report(meta, results, {})
        self.assertIn('FAILED', text)
        self.assertIn('sieve on a (process 1): failed: boom', text)


class HarnessEndToEndTest(unittest.TestCase):
    """The whole harness against bench/tests/fake_vm.py."""

    def run_harness(self, *args, env=None):
        out = tempfile.mkdtemp(prefix='harness-test-')
        image = os.path.join(out, 'fake.image')
        open(image, 'w').close()
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run([sys.executable, os.path.join(BENCH, 'harness.py'),
                               '--image', image, '--out', out, '--startup-runs', '1'] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                              universal_newlines=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(out, 'results.json')) as f:
            return proc.stdout, json.load(f), out

    def test_calibration_history_and_charts(self):
        text, data, out = self.run_harness(
            '--vm', 'fast=' + FAKE_VM, '--vm', 'slow=FAKE_MS_BenchRichards=7 ' + FAKE_VM,
            '-b', 'richards,list,tiny', '-n', '4', '-p', '2', '--calibrate', '50',
            '--history', 'fast', '--tiny-histories',
            env={'FAKE_MS_BenchList': '0.25', 'FAKE_WARMUP': '2'})
        sizes = data['meta']['sizes']
        # fake ms = per-unit ms x size: richards 1 ms/unit, list 0.25 ms/unit;
        # slow's richards 7 ms/unit: each VM gets its own size
        rich, lst = sizes['richards'], sizes['list']
        self.assertGreaterEqual(rich['fast'], 120)
        self.assertLessEqual(rich['fast'], 400)
        self.assertGreaterEqual(rich['slow'] * 7, 120)
        self.assertLessEqual(rich['slow'] * 7, 400)
        self.assertLess(rich['slow'], rich['fast'])
        self.assertGreaterEqual(lst['fast'] * 0.25, 120)
        # history mode runs at its base VM's sizes
        self.assertEqual(rich['fast+hist'], rich['fast'])
        r = data['results']['richards']
        self.assertEqual(r['fast']['median_ms'], rich['fast'])
        self.assertEqual(r['slow']['median_ms'], 7 * rich['slow'])
        # speed-up per unit of work
        self.assertAlmostEqual(r['fast']['speedup'], 7.0, delta=0.2)
        self.assertEqual(r['fast']['warmup_curve_ms'][0], 2 * rich['fast'])
        self.assertEqual(r['fast']['warmup_iterations'], [1, 1])
        traces = data['meta']['calibration']['traces']
        self.assertEqual(traces['richards']['fast'][-1][0], rich['fast'])
        self.assertIn('(%d)' % rich['slow'], text)
        # history mode: tinyBenchmarks ran after the other two benchmarks
        tiny = data['results']['tinyBenchmarks']
        self.assertEqual(tiny['fast']['tiny_median'], [1000000, 100000])
        self.assertEqual(tiny['fast+hist']['tiny_median'], [3000000, 300000])
        hist = data['meta']['tiny_histories']['fast']
        self.assertEqual(hist['alone'], [1000000, 100000])
        self.assertEqual(hist['after runner.st'], [1000000, 100000])
        # every suite benchmark (12 besides tinyBenchmarks) ran once before
        self.assertEqual(hist['after the suite'], [13000000, 1300000])
        self.assertEqual(hist['as in make bench'], [1000000, 100000])
        self.assertIn('fast+hist', text)
        self.assertIsNotNone(data['meta']['startup']['fast']['ms'])
        self.assertGreater(r['fast']['maxrss_kb'], 0)
        if has_matplotlib():
            for png in ('speedup.png', 'warmup.png'):
                with open(os.path.join(out, png), 'rb') as f:
                    self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')

    def test_tiny_histories_in_setups(self):
        text, data, _ = self.run_harness(
            '--vm', 'fast=' + FAKE_VM, '-b', 'tiny', '-n', '1', '-p', '1',
            '--tiny-histories', '--setups', '3')
        per = data['meta']['tiny_history_setups']['fast']
        # setup i files in a line making i Arrays just before tinyBenchmarks,
        # which the fake VM counts as i more things run before it
        self.assertEqual(per['alone'], [[1000000, 100000], [2000000, 200000],
                                        [3000000, 300000]])
        self.assertEqual([x[1] for x in per['after the suite']], [1300000, 1400000, 1500000])
        self.assertEqual([x[1] for x in per['as in make bench']], [100000, 200000, 300000])
        # the four-history table stays the draw of setup 0
        self.assertEqual(data['meta']['tiny_histories']['fast']['alone'], [1000000, 100000])
        self.assertIn('3 setups each', text)
        self.assertIn('0.1M-0.3M', text)
        self.assertIn('1.3M-1.5M', text)
        self.assertIn('0.07', text)

    def test_setups_must_be_positive(self):
        proc = subprocess.run([sys.executable, os.path.join(BENCH, 'harness.py'), '--setups', '0'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('--setups must be at least 1', proc.stderr)

    def test_budget_and_linearity(self):
        # slow's budget (0.01 s per benchmark) leaves room for one process
        # only, and ends its calibration after the first round
        text, data, _ = self.run_harness(
            '--vm', 'fast=' + FAKE_VM, '--vm', 'slow=FAKE_MS_BenchSieve=200 ' + FAKE_VM,
            '-b', 'sieve', '-n', '3', '-p', '3', '--calibrate', '50', '--no-charts',
            '--vm-budget', 'slow=0.01', '--linearity', 'fast',
            env={'FAKE_POWER_BenchSieve': '1.5'})
        cell = data['results']['sieve']['slow']
        self.assertEqual(len(data['meta']['calibration']['traces']['sieve']['slow']), 1)
        self.assertEqual(len(cell['runs']), 1)
        self.assertEqual(data['meta']['budget_skipped'], {'slow': {'sieve': 2}})
        self.assertEqual(len(data['results']['sieve']['fast']['runs']), 3)
        self.assertIn('processes skipped for the budget: slow: sieve 2', text)
        lin = data['meta']['linearity']
        self.assertEqual([(x['bench'], x['vm']) for x in lin], [('sieve', 'fast')])
        # the second size spans the VMs' sizes (k = largest / smallest, 2..8)
        k = lin[0]['size2'] / lin[0]['size']
        self.assertEqual(k, harness.linearity_factor(data['meta']['sizes']['sieve']))
        self.assertTrue(2 <= k <= 8)
        # size ** 1.5: k x the size costs k ** 0.5 more per unit
        self.assertAlmostEqual(lin[0]['ms_per_unit2'] / lin[0]['ms_per_unit'], k ** 0.5,
                               delta=0.05)
        self.assertIn('sieve ~', text)

    def test_one_calibration_vm_for_all(self):
        _, data, _ = self.run_harness(
            '--vm', 'fast=' + FAKE_VM, '--vm', 'slow=FAKE_MS_BenchList=7 ' + FAKE_VM,
            '-b', 'list', '-n', '3', '-p', '1', '--calibrate', '50', '--calibrate-vm', 'fast',
            '--no-charts')
        sizes = data['meta']['sizes']['list']
        self.assertEqual(sizes['fast'], sizes['slow'])
        self.assertGreaterEqual(sizes['fast'], 120)

    def test_failing_check_and_restricted_vm(self):
        text, data, _ = self.run_harness(
            '--vm', 'a=' + FAKE_VM, '--vm', 'b=' + FAKE_VM, '--vm-benchmarks', 'b=tiny',
            '-b', 'sieve,tiny', '-n', '2', '-p', '1', '--no-charts',
            env={'FAKE_FAIL': 'BenchSieve'})
        self.assertEqual(data['results']['sieve']['a']['status'], 'failed')
        self.assertEqual(data['results']['sieve']['b']['status'], 'not run')
        self.assertIn('check failed', text)

    def test_noise_floor_between_the_processes(self):
        text, data, out = self.run_harness(
            '--vm', 'a=' + FAKE_VM, '--vm', 'b=FAKE_MS_BenchSieve=3 ' + FAKE_VM,
            '-b', 'sieve,tiny', '--size', 'sieve=4', '-n', '3', '-p', '2', '--no-charts',
            '--noise-floor', 'alu', '--floor-vm', 'b')
        nf = data['meta']['noise_floor']
        self.assertEqual((nf['kind'], nf['vm']), ('alu', 'b'))
        # one floor process per process of b, none for tinyBenchmarks; as
        # many iterations as b ran, as long as b's (3 ms/unit x 4)
        self.assertEqual(list(nf['runs']), ['sieve'])
        runs = nf['runs']['sieve']
        self.assertEqual([r['process'] for r in runs], [1, 2])
        for r in runs:
            self.assertEqual(r['status'], 'ok')
            self.assertEqual(r['target_ms'], 12)
            self.assertEqual(len(r['times']), 3)
        self.assertTrue(os.path.exists(os.path.join(out, 'logs', 'sieve-floor-p2.log')))
        self.assertIn('Noise floor (--noise-floor alu)', text)

    def test_no_tiny_runs_leaves_tiny_benchmarks_out(self):
        text, data, _ = self.run_harness('--vm', 'a=' + FAKE_VM, '-b', 'sieve,tiny', '-n', '2',
                                         '-p', '1', '--tiny-runs', '0', '--no-charts')
        self.assertEqual(data['meta']['benchmarks'], ['sieve'])
        self.assertEqual(list(data['results']), ['sieve'])
        self.assertNotIn('FAILED', text)

    def test_floor_vm_must_exist_and_needs_the_floor(self):
        for args, msg in ((['--noise-floor', '--floor-vm', 'c'], "--floor-vm 'c' is not one"),
                          (['--floor-vm', 'a'], '--floor-vm needs --noise-floor')):
            with tempfile.TemporaryDirectory() as tmp:
                image = os.path.join(tmp, 'image')
                open(image, 'w').close()
                proc = subprocess.run([sys.executable, os.path.join(BENCH, 'harness.py'),
                                       '--image', image, '--vm', 'a=' + FAKE_VM,
                                       '--out', tmp] + args,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      universal_newlines=True, timeout=60)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn(msg, proc.stderr)


    def test_clock_lines(self):
        # 0.5 ms per unit at size 25: each iteration sleeps 12.5 ms (or
        # more) and the VM's clock says the whole ms of it; 'buffered'
        # writes its lines at the end.  Whether 'live' agrees closely enough
        # with its own clock to be timed by the lines depends on how soon
        # the harness is scheduled (ClockTest covers that choice); its line
        # times are recorded either way.
        text, data, _ = self.run_harness(
            '--vm', 'live=FAKE_SLEEP=1 ' + FAKE_VM, '--vm', 'buffered=' + FAKE_VM,
            '-b', 'sieve', '--size', 'sieve=25', '-n', '10', '-p', '1', '--clock', 'lines',
            '--no-charts', env={'FAKE_MS_BenchSieve': '0.5'})
        live = data['results']['sieve']['live']['runs'][0]
        if live['clock'] == 'lines':
            lines, vm = live['times'], live['vm_times']
        else:
            lines, vm = live['line_times'], live['times']
        self.assertEqual((len(lines), len(vm)), (10, 10))
        self.assertTrue(all(ms >= 12 for ms in vm), vm)
        # a late wake-up of the harness moves one line's time into the
        # next; the ten together span the ten sleeps (>= 125 ms)
        self.assertGreater(sum(lines), 0.75 * 125)
        self.assertLess(sum(lines), 2 * sum(vm))
        buffered = data['results']['sieve']['buffered']['runs'][0]
        self.assertEqual(buffered['clock'], 'vm')
        self.assertEqual(buffered['times'], [12] * 10)
        # its lines came together at the end: no iteration between them
        self.assertLess(max(buffered['line_times']), 5)
        self.assertIn('(--clock lines) in %d of 2 processes' % (live['clock'] == 'lines'), text)
        self.assertIn("the VM's ms (lines buffered or not agreeing) in sieve buffered", text)


class NoiseFloorTest(unittest.TestCase):
    """bench/floor.py and bench/noisefloor.c (built with $CC, default cc:
    the C compiler that RPython's translation needs anyway)."""

    def test_floor_table_beside_the_vm_spread(self):
        results = {'towers': {'spy': {'runs': [
            dict(process=1, status='ok', times=[90, 20, 20, 30]),
            dict(process=2, status='ok', times=[80, 20, 22, 20])]}}}
        report.summarize(results, ['spy'], ['towers'], None, 0.5)
        nf = {'kind': 'memory', 'vm': 'spy', 'runs': {'towers': [
            dict(process=1, status='ok', times=[26, 20, 20, 21], target_ms=20),
            dict(process=2, status='ok', times=[20, 19, 20, 23], target_ms=20)]}}
        f = report.floor_summary(nf['runs']['towers'], 0.5)
        # 26 is a warm-up iteration (> 1.25 x 20): cut like a VM's
        self.assertEqual((f['min_ms'], f['median_ms'], f['max_ms']), (19, 20, 23))
        self.assertAlmostEqual(f['spread_pct'], 15.0)
        head, rows = report.floor_table(nf, results, ['towers'], 0.5)
        self.assertEqual(rows, [['towers', 'spy', '20', '50', '-', '2', '20', '19', '23', '15']])
        meta = {'vm_order': ['spy'], 'benchmarks': ['towers'], 'sizes': {'towers': 1},
                'baseline': None, 'steady_fraction': 0.5, 'vms': {'spy': 'S'},
                'noise_floor': nf}
        self.assertIn('Noise floor (--noise-floor memory)', report.full_report(meta, results, {}))
        # a floor that failed in every process
        nf['runs']['towers'] = [dict(process=1, status='failed', times=[], target_ms=20)]
        self.assertIsNone(report.floor_summary(nf['runs']['towers'], 0.5))
        self.assertEqual(report.floor_table(nf, results, ['towers'], 0.5)[1][0][6], 'FAILED')

    def test_native_workload_takes_the_asked_time(self):
        with tempfile.TemporaryDirectory() as tmp:
            exe = floor.compile_floor(tmp)
            for kind in floor.KINDS:
                run = floor.floor_process(exe, 'sieve', 20, 6, kind, 1, 60,
                                          os.path.join(tmp, kind + '.log'), harness.parse_output)
                self.assertEqual(run['status'], 'ok', run)
                self.assertEqual(len(run['times']), 6)
                self.assertTrue(all(t >= 0 for t in run['times']), run['times'])
                # the calibration alone runs 200 ms of the monotonic clock.
                # How long an iteration then takes is not asserted: a
                # calibration under load (CI runs tests side by side) gives
                # iterations half the asked length once the load is gone.
                self.assertGreaterEqual(run['wall_s'], 0.2, run)
                with open(os.path.join(tmp, kind + '.log')) as log:
                    start = [l.split() for l in log if l.startswith('BENCH-START')]
                self.assertEqual(len(start), 1, start)
                self.assertGreaterEqual(int(start[0][2]), 1)
                self.assertEqual(start[0][3], '6')
            bad = subprocess.run([exe, 'x', '0', '3'], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True)
            self.assertEqual(bad.returncode, 2)
            self.assertIn('MS must be >= 1', bad.stderr)
            bad = subprocess.run([exe, 'x', '5', '3', 'disk'], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True)
            self.assertEqual(bad.returncode, 2)
            self.assertIn('kind must be alu or memory', bad.stderr)

    def test_target_from_the_first_process(self):
        self.assertEqual(floor.target_ms(dict(status='ok', times=[50, 10, 12, 11]), 0.5), 11)
        self.assertIsNone(floor.target_ms(dict(status='failed', times=[5, 5]), 0.5))
        # the ms clock cannot time a floor shorter than 1 ms
        self.assertIsNone(floor.target_ms(dict(status='ok', times=[0, 0, 1, 0]), 0.5))

    def test_no_compiler_is_a_clear_error(self):
        old = os.environ.get('CC')
        os.environ['CC'] = 'no-such-compiler-here'
        try:
            with tempfile.TemporaryDirectory() as tmp:
                with self.assertRaises(floor.FloorError) as e:
                    floor.compile_floor(tmp)
            self.assertIn('needs a C compiler', str(e.exception))
        finally:
            if old is None:
                del os.environ['CC']
            else:
                os.environ['CC'] = old


class RefvmDecodingTest(unittest.TestCase):
    def test_racket_string_literals(self):
        self.assertEqual(refvm.decode_racket_string(r'"a\nb\"c\\d\u00e9\x41\101"'),
                         'a\nb"c\\d\u00e9AA')

    def test_transcript_updates_print_only_new_text(self):
        d = refvm.TranscriptDecoder()
        self.assertEqual(d.feed('vm/gui: Update textarea "Welcome to SmallWorld\\n"'),
                         ('Welcome to SmallWorld\n', '', False))
        self.assertEqual(d.feed('vm/gui: Update textarea "Welcome to SmallWorld\\nBENCH x 1 5\\n"'),
                         ('BENCH x 1 5\n', '', False))
        self.assertEqual(d.feed('vm/gui: Update textarea "doesNotUnderstand: foo"'),
                         ('', '[pane] doesNotUnderstand: foo\n', False))
        self.assertEqual(d.feed('vm/gui: something else'), ('', '', False))
        self.assertEqual(d.feed('  context...:'), ('', '  context...:\n', True))

    def test_run_cc_last_transcript(self):
        out = ('prim_updateTextArea: Hello\n0x55prim_foo bar\n'
               'prim_updateTextArea: Hello\n12 bytecodes/sec; 3 sends/sec\n0x56prim_x y\n')
        self.assertEqual(refvm.cxx_transcript(out), 'Hello\n12 bytecodes/sec; 3 sends/sec\n')


def vmprof_bytes(names, stacks, memory=False):
    """A profile as rvmprof writes one (see tools/profile_report.py)."""
    w = lambda x: struct.pack('<q', x)  # noqa: E731
    b = b''.join(w(x) for x in (0, 3, 0, 1000, 0))
    b += bytes([5, 0, 6, 8 | (1 if memory else 0), 4]) + b'pypy'
    b += bytes([6]) + b'\0' * 24
    b += bytes([7]) + w(2) + b'os' + w(5) + b'linux'
    for uid, name in names.items():
        b += bytes([2]) + w(uid) + w(len(name)) + name.encode()
    for count, entries in stacks:
        words = [x for tag, v in entries for x in (tag, v)]
        b += bytes([1]) + w(count) + w(len(words)) + b''.join(w(x) for x in words) + w(77)
        if memory:
            b += w(1234)
    b += bytes([3]) + b'\0' * 24
    return b


class ProfileReportTest(unittest.TestCase):
    def test_names_self_total_and_folded(self):
        names = {8: 'st:Foo>>at;put;:0:spy', 12: 'st:Foo>>run;:0:spy', 16: 'st:Bar>>+:0:spy'}
        stacks = [(1, [(1, 8), (1, 12)]),             # innermost first
                  (1, [(6, 0x1234), (3, 16), (3, 12), (1, 12)]),
                  (2, [(1, 12)]),
                  (1, [(7, 0x99), (1, 99)])]          # unknown uid
        for memory in (False, True):
            prof = profile_report.read_profile(vmprof_bytes(names, stacks, memory))
            self.assertEqual(prof.names[8], 'Foo>>at:put:')
            self.assertEqual(prof.total_samples(), 5)
            self_c, total_c = profile_report.hottest(prof)
            self.assertEqual(self_c['Foo>>run:'], 2)
            self.assertEqual(self_c['Bar>>+'], 1)
            self.assertEqual(total_c['Foo>>run:'], 4)   # recursion counted once
            stacks_f = profile_report.folded(prof)
            self.assertEqual(stacks_f['Foo>>run:;Foo>>run:;Bar>>+'], 1)
            self.assertEqual(stacks_f['Foo>>run:;Foo>>at:put:'], 1)
            self.assertEqual(stacks_f[profile_report.UNKNOWN], 1)
            text = profile_report.text_report(prof)
            self.assertIn('Foo>>run:', text)
            svg = profile_report.flame_svg(stacks_f)
            self.assertIn('Bar&gt;&gt;+', svg)

    def test_focus_cuts_stacks_below_a_method(self):
        names = {8: 'st:A>>main:0:spy', 12: 'st:B>>run;:0:spy', 16: 'st:C>>x:0:spy'}
        stacks = [(1, [(1, 16), (1, 12), (1, 8)]), (2, [(1, 8)])]
        prof = profile_report.read_profile(vmprof_bytes(names, stacks))
        self.assertEqual(profile_report.focus(prof, 'B>>run:'), 2)
        self.assertEqual(dict(profile_report.folded(prof)), {'B>>run:;C>>x': 1})

    def test_truncated_and_foreign_files(self):
        data = vmprof_bytes({8: 'st:A>>b:0:spy'}, [(1, [(1, 8)])])
        with self.assertRaises(profile_report.ProfileError):
            profile_report.read_profile(data[:-40])
        with self.assertRaises(profile_report.ProfileError):
            profile_report.read_profile(b'\x7fELF' + b'\0' * 60)


if __name__ == '__main__':
    unittest.main()
