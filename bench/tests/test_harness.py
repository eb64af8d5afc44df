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

    def test_run_cc_plain_tiny_line(self):
        text = '12345 bytecodes/sec; 678 sends/sec\n'
        self.assertEqual(harness.parse_output(text, 'tinyBenchmarks')[3], [[12345, 678]])


class CalibrateTest(unittest.TestCase):
    def test_grows_until_min_reaches_target(self):
        seen = []

        def measure(size):
            seen.append(size)
            return [size * 2.0, size * 2.2, size * 2.1]
        size, trace = harness.calibrate(measure, 3, 50)
        self.assertGreaterEqual(size * 2.0, 50)
        self.assertGreaterEqual(size * 2.1, 1.3 * 50)
        self.assertEqual([s for s, _ in trace], seen)
        self.assertLess(size, 200)                 # no wild overshoot

    def test_keeps_a_size_that_is_already_long_enough(self):
        size, trace = harness.calibrate(lambda s: [100.0, 120.0], 7, 50)
        self.assertEqual((size, len(trace)), (7, 1))

    def test_zero_ms_and_failures(self):
        size, trace = harness.calibrate(lambda s: [0] if s < 1000 else [80, 80], 1, 50)
        self.assertGreaterEqual(size, 1000)
        size, trace = harness.calibrate(lambda s: None, 5, 50)
        self.assertEqual((size, trace), (5, [(5, None)]))


class ReportTest(unittest.TestCase):
    def cell(self, *runs):
        return {'runs': [dict(process=i + 1, status='ok', times=t, maxrss_kb=1024 * (i + 1))
                         for i, t in enumerate(runs)]}

    def test_summary_spread_speedup_and_tables(self):
        results = {'list': {'a': self.cell([90, 40, 50, 60], [80, 45, 50, 55]),
                            'b': self.cell([400, 400, 500, 600])}}
        geo = report.summarize(results, ['a', 'b'], ['list'], 'b', 0.5)
        a = results['list']['a']
        self.assertEqual((a['min_ms'], a['median_ms'], a['max_ms']), (50, 52.5, 60))
        self.assertAlmostEqual(a['spread_pct'], 100 * 7.5 / 52.5)
        self.assertEqual(a['warmup_curve_ms'], [85, 42.5, 50, 57.5])
        self.assertEqual(a['maxrss_kb'], 2048)
        self.assertAlmostEqual(a['speedup'], 550 / 52.5)
        self.assertAlmostEqual(geo['a'], 550 / 52.5)
        meta = {'vm_order': ['a', 'b'], 'benchmarks': ['list'], 'sizes': {'list': 7},
                'baseline': 'b', 'steady_fraction': 0.5, 'calibrate_ms': 51,
                'vms': {'a': 'A', 'b': 'B'}, 'startup': {'a': {'ms': 9.5, 'maxrss_kb': 10240}}}
        text = report.full_report(meta, results, geo)
        rows = [line.split() for line in text.splitlines()]
        self.assertIn(['list', '7', 'a', '4', '50!', '52', '60', '14', '85', '2'], rows)
        md = report.full_report(meta, results, geo, report.render_markdown)
        self.assertIn('| list | 7 | a | 4 | 50! | 52 | 60 | 14 | 85 | 2 |', md)
        self.assertIn('| a | 9.5 | 10 | 2 | A |', md)

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
        # fake ms = per-unit ms x size: richards 1 ms/unit, list 0.25 ms/unit
        self.assertGreaterEqual(sizes['richards'], 65)
        self.assertGreaterEqual(sizes['list'] * 0.25, 65)
        r = data['results']['richards']
        self.assertEqual(r['fast']['median_ms'], sizes['richards'])
        self.assertEqual(r['slow']['median_ms'], 7 * sizes['richards'])
        self.assertAlmostEqual(r['fast']['speedup'], 7.0)
        self.assertEqual(r['fast']['warmup_curve_ms'][0], 2 * sizes['richards'])
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

    def test_failing_check_and_restricted_vm(self):
        text, data, _ = self.run_harness(
            '--vm', 'a=' + FAKE_VM, '--vm', 'b=' + FAKE_VM, '--vm-benchmarks', 'b=tiny',
            '-b', 'sieve,tiny', '-n', '2', '-p', '1', '--no-charts',
            env={'FAKE_FAIL': 'BenchSieve'})
        self.assertEqual(data['results']['sieve']['a']['status'], 'failed')
        self.assertEqual(data['results']['sieve']['b']['status'], 'not run')
        self.assertIn('check failed', text)


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
