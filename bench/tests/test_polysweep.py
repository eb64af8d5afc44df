"""bench/polysweep.py: several processes per point."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import polysweep  # noqa: E402


class CombineTest(unittest.TestCase):
    def test_the_median_process_stands_for_the_point(self):
        runs = [{'ns_per_send': 13.8, 'loops': 25, 'bridges': 27},
                {'ns_per_send': 6.0, 'loops': 25, 'bridges': 26},
                {'ns_per_send': 6.5, 'loops': 26, 'bridges': 26}]
        p = polysweep.combine(runs)
        self.assertEqual(p['ns_per_send'], 6.5)
        self.assertEqual((p['loops'], p['bridges']), (26, 26))
        self.assertEqual(p['ns_per_send_all'], [13.8, 6.0, 6.5])
        self.assertEqual(polysweep.fmt_ns(p), '6.5 (6.0-13.8)')

    def test_failed_processes_are_counted_not_averaged(self):
        runs = [{'error': ['boom']}, {'ns_per_send': 4.0}]
        p = polysweep.combine(runs)
        self.assertEqual((p['ns_per_send'], p['failed_processes']), (4.0, 1))
        self.assertEqual(polysweep.fmt_ns(p), '4.0')
        self.assertIn('error', polysweep.combine([{'error': ['boom']}]))


if __name__ == '__main__':
    unittest.main()
