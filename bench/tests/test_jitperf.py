"""tools/jitperf.py: samples attributed to the JIT's loops, bridges and
operations from a PYPYLOG excerpt and `perf script` text (no perf run)."""
import contextlib
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import jitperf  # noqa: E402

# A loop freed and its code reused: Loop 1 and its bridge are replaced by
# Loop 2, whose entry code starts inside Loop 1's old range
LOG = """\
[1] {jit-backend-addr
Loop 1 (Old>>gone @0 PushSelf) has address 0x1080 to 0x1200 (bootstrap 0x1000)
[2] jit-backend-addr}
[3] {jit-log-opt-loop
# Loop 1 (Old>>gone @0 PushSelf) : loop with 2 ops
[p0]
+100: i1 = int_add(1, 2)
+150: jump(p0, descr=TargetToken(1))
--end of the loop--
[4] jit-log-opt-loop}
[5] {jit-backend-addr
Loop 2 (A>>f: @0 PushArgument 0) has address 0x1100 to 0x1300 (bootstrap 0x1090)
[6] jit-backend-addr}
[7] {jit-log-opt-loop
# Loop 2 (A>>f: @0 PushArgument 0) : entry bridge with 3 ops
[p0]
+600: p1 = getfield_gc_r(p0, descr=<FieldP spyvm.context.W_Context.inst_stack_w 72 pure>)
+640: i2 = int_lt(1, 2)
+700: finish(p1, descr=<DoneWithThisFrameDescrRef object at 0x1>)
--end of the loop--
[8] jit-log-opt-loop}
[9] {jit-backend-addr
bridge out of Guard 0xabc has address 0x2000 to 0x2100
[10] jit-backend-addr}
[11] {jit-log-opt-bridge
# bridge out of Guard 0xabc with 1 ops
[p0]
+50: p3 = call_assembler_r(p0, descr=<Loop2>)
--end of the loop--
[12] jit-log-opt-bridge}
"""

SCRIPT = """\
    1100 [unknown]
    1130 [unknown]
    1150 [unknown]
    10a0 [unknown]
    2010 [unknown]
    4000 pypy_g_portal
    1085 [unknown]
"""

# the same addresses as instructions counted by callgrind: the line after
# calls= is the callee's inclusive cost (counted at its own addresses)
CALLGRIND = """\
version: 1
positions: instr line
events: Ir
fl=???
fn=0x0000000000001100
0x1100 0 10
0x1130 0 4
calls=1 0x4000 0
0x1130 0 500
0x1150 0 6
0x10a0 0 2
fn=0x0000000000002010
0x2010 0 7
fl=spy
fn=pypy_g_portal
0x4000 12 500
totals: 529
"""


class JitPerfTest(unittest.TestCase):
    def setUp(self):
        self.traces = jitperf.parse_log(LOG)
        self.samples = jitperf.read_samples(script=SCRIPT)

    def test_freed_code_is_replaced(self):
        names = [t.name for t in self.traces]
        self.assertEqual(names, ['Loop 2 (A>>f: @0 PushArgument 0)',
                                 'bridge out of Guard 0xabc (1 ops)'])

    def test_samples_by_trace(self):
        counts, total = jitperf.attribute(self.traces, self.samples)
        self.assertEqual(total, 7)
        self.assertEqual(counts['Loop 2 (A>>f: @0 PushArgument 0)'], 3)
        self.assertEqual(counts['entry code of Loop 2'], 1)
        self.assertEqual(counts['bridge out of Guard 0xabc (1 ops)'], 1)
        self.assertEqual(counts['pypy_g_portal'], 1)
        # 0x1085: Loop 1's old code, now nobody's
        self.assertEqual(counts['[unknown]'], 1)

    def test_samples_by_operation(self):
        # the first operation sits at the range's start: 0x1100 is +600,
        # 0x1130 is +648 (int_lt), 0x1150 is +680 (still int_lt)
        counts, total = jitperf.attribute(self.traces, self.samples,
                                          by_op=True)
        self.assertEqual(total, 7)
        self.assertEqual(counts['getfield_gc_r inst_stack_w'], 1)
        self.assertEqual(counts['int_lt'], 2)
        self.assertEqual(counts['call_assembler_r'], 1)
        self.assertEqual(sum(counts.values()), 4)

    def test_instructions_from_callgrind(self):
        samples = jitperf.read_callgrind(CALLGRIND)
        counts, total = jitperf.attribute(self.traces, samples)
        self.assertEqual(total, 529)
        self.assertEqual(counts['Loop 2 (A>>f: @0 PushArgument 0)'], 20)
        self.assertEqual(counts['entry code of Loop 2'], 2)
        self.assertEqual(counts['bridge out of Guard 0xabc (1 ops)'], 7)
        self.assertEqual(counts['pypy_g_portal'], 500)
        by_op, _ = jitperf.attribute(self.traces, samples, by_op=True)
        self.assertEqual(by_op['getfield_gc_r inst_stack_w'], 10)
        self.assertEqual(by_op['int_lt'], 10)

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, 'log')
            script = os.path.join(d, 'script')
            with open(log, 'w') as f:
                f.write(LOG)
            with open(script, 'w') as f:
                f.write(SCRIPT)
            self.assertEqual(jitperf.main([log, '--script', script]), 0)
            cg = os.path.join(d, 'callgrind.out')
            with open(cg, 'w') as f:
                f.write(CALLGRIND)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                self.assertEqual(jitperf.main([log, '--callgrind', cg]), 0)
            self.assertIn('529 instructions:', out.getvalue())
            with open(log, 'w') as f:
                f.write('no jit here\n')
            with self.assertRaises(SystemExit):
                jitperf.main([log, '--script', script])


if __name__ == '__main__':
    unittest.main()
