"""Statistics and tables of the harness: from per-process iteration times
to medians, spreads, speed-ups, and text or Markdown tables.

`results[bench][vm]` holds {'runs': [{'status', 'times', 'tiny', 'maxrss_kb',
...}]}; summarize() adds the derived figures in place.
"""
import math
import statistics

TINY = 'tinyBenchmarks'


# An iteration slower than this factor x the median of the last half still
# belongs to the warm-up (a JIT compiling, the heap growing).
WARMUP_FACTOR = 1.25


def steady_start(times, fraction):
    """Index of the first steady-state iteration of one process.

    At least the last `fraction` of the iterations is steady.  Before that,
    the warm-up ends after the last iteration slower than WARMUP_FACTOR x the
    median of the last half; with fraction 1.0 every iteration counts.  Only
    a prefix is ever cut (what the report counts as warm-up): a slow
    iteration after the warm-up stays in the statistics."""
    n = len(times)
    if not n:
        return 0
    latest = n - max(1, int(math.ceil(n * fraction)))
    if latest <= 0:
        return 0
    level = statistics.median(times[n // 2:])
    start = 0
    for i in range(latest):
        if times[i] > WARMUP_FACTOR * level:
            start = i + 1
    return start


def steady(times, fraction):
    """The steady-state part of one process's iterations (see steady_start)."""
    return times[steady_start(times, fraction):]


def size_of(sizes, bench, vm):
    """A VM's size of a benchmark: sizes are {bench: {vm: size}} (per-VM
    calibration) or {bench: size} (one size for every VM, older runs)."""
    s = sizes.get(bench)
    return s.get(vm) if isinstance(s, dict) else s


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def spread_pct(lo, med, hi):
    """Largest distance of min or max from the median, in % of the median."""
    if med is None or med <= 0:
        return None
    return 100.0 * max(med - lo, hi - med) / med


def summarize_cell(r, fraction):
    ok_runs = [p for p in r['runs'] if p['status'] == 'ok']
    real_runs = [p for p in r['runs'] if p['status'] != 'not run']
    if not real_runs:
        r['status'] = 'not run'
    else:
        r['status'] = ('ok' if ok_runs and len(ok_runs) == len(real_runs)
                       else 'partial' if ok_runs else 'failed')
    samples, warm = [], []
    # with spy --jit-events (and PYPYLOG=gc-collect-step): the steady
    # iterations in which neither the JIT nor a major collection worked
    # (a late compile makes one iteration slow: that is not noise)
    quiet, compiled, collected, jit_ms = [], 0, 0, []
    jit_marked = bool(ok_runs) and all('jit' in p for p in ok_runs)
    gc_marked = bool(ok_runs) and all('gc' in p for p in ok_runs)
    for p in ok_runs:
        k = steady_start(p['times'], fraction)
        warm.append(k)
        samples.extend(p['times'][k:])
        if jit_marked:
            # the JIT's own time inside this process's steady iterations
            jit_ms.append(sum(p['jit'][i][1] for i in range(k, len(p['times']))))
        for i in range(k, len(p['times'])):
            jit = jit_marked and p['jit'][i][0] > 0
            gc = gc_marked and p['gc'][i] > 0
            compiled += jit
            collected += gc
            if not jit and not gc:
                quiet.append(p['times'][i])
    r['steady_samples'] = len(samples)
    if jit_marked:
        r['jit_iterations'] = compiled
        r['steady_jit_ms'] = statistics.median(jit_ms)
    if gc_marked:
        r['gc_iterations'] = collected
    if jit_marked or gc_marked:
        r['quiet_spread_pct'] = (spread_pct(min(quiet), statistics.median(quiet), max(quiet))
                                 if quiet else None)
    # iterations cut as warm-up, per process
    r['warmup_iterations'] = warm
    r['processes_ok'] = len(ok_runs)
    r['median_ms'] = statistics.median(samples) if samples else None
    r['min_ms'] = min(samples) if samples else None
    r['max_ms'] = max(samples) if samples else None
    r['spread_pct'] = spread_pct(r['min_ms'], r['median_ms'], r['max_ms']) if samples else None
    firsts = [p['times'][0] for p in ok_runs if p['times']]
    r['first_ms'] = statistics.median(firsts) if firsts else None
    cpu = [p['cpu_s'] / p['wall_s'] for p in real_runs if p.get('cpu_s') and p.get('wall_s')]
    # below 1: the VM waited for a core (or for I/O), its times are inflated
    r['cpu_wall'] = min(cpu) if cpu else None
    rss = [p['maxrss_kb'] for p in real_runs if p.get('maxrss_kb')]
    r['maxrss_kb'] = max(rss) if rss else None
    n = max([len(p['times']) for p in ok_runs] or [0])
    curve = []
    for i in range(n):
        vals = [p['times'][i] for p in ok_runs if len(p['times']) > i]
        curve.append(statistics.median(vals) if vals else None)
    r['warmup_curve_ms'] = curve
    tiny = [t for p in ok_runs for t in p.get('tiny', [])]
    if tiny:
        r['tiny'] = tiny
        r['tiny_median'] = [statistics.median([t[0] for t in tiny]),
                            statistics.median([t[1] for t in tiny])]


def summarize(results, vms, benches, baseline, fraction, sizes=None):
    """Fill in every cell's figures and speed-ups; answer {vm: geomean}.

    With `sizes` (see size_of), VMs that ran a benchmark at different sizes
    are compared by time per unit of size (ms / size), valid where the
    benchmark's work is linear in its size (bench/README.md)."""
    for b in benches:
        for v in vms:
            r = results[b][v]
            summarize_cell(r, fraction)
            size = size_of(sizes or {}, b, v)
            r['size'] = size
            r['ms_per_unit'] = (r['median_ms'] / size if r['median_ms'] is not None
                                and size and b != TINY else None)
    geo = {}
    for v in vms:
        ratios = []
        for b in benches:
            r = results[b][v]
            base = results[b].get(baseline) if baseline else None
            r['speedup'] = None
            if b == TINY and r.get('tiny_median') and base and base.get('tiny_median'):
                # higher is better for tinyBenchmarks: use sends/sec
                r['speedup'] = r['tiny_median'][1] / max(base['tiny_median'][1], 1)
            elif base and r['median_ms'] is not None and base['median_ms'] is not None:
                rs, bs = r.get('size') or 1, base.get('size') or 1
                r['speedup'] = (max(base['median_ms'], 0.5) / bs) / (max(r['median_ms'], 0.5) / rs)
            if r['speedup'] and b != TINY:
                ratios.append(r['speedup'])
        geo[v] = geomean(ratios) if baseline else None
    return geo


# ---------------------------------------------------------------- tables

def fmt_ms(x):
    if x is None:
        return '-'
    return '%.0f' % x if x >= 10 else '%.1f' % x


def fmt_mb(kb):
    return '-' if not kb else '%.0f' % (kb / 1024.0)


def fmt_size(sizes, bench, vm):
    x = size_of(sizes, bench, vm)
    return '' if x is None else str(x)


def speedup_table(results, geo, vms, benches, sizes, baseline, nonlinear=()):
    """Rows of the summary matrix: benchmark x VM speed-ups over baseline,
    each with the VM's size in parentheses.  ~ marks a benchmark whose
    linearity check failed (its per-unit comparison across sizes is rough)."""
    head = ['benchmark'] + vms
    rows = []
    for b in benches:
        if b == TINY:
            continue
        row = [b + (' ~' if b in nonlinear else '')]
        for v in vms:
            r = results[b][v]
            size = fmt_size(sizes, b, v)
            if r['status'] == 'not run':
                row.append('')
            elif r['status'] == 'failed':
                row.append('FAILED (%s)' % size)
            else:
                row.append(('%.2f' % r['speedup'] if r.get('speedup') else '-')
                           + ('*' if r['status'] == 'partial' else '') + ' (%s)' % size)
        rows.append(row)
    rows.append(['geomean'] + [('%.2f' % geo[v]) if geo.get(v) else '-' for v in vms])
    return head, rows


def fmt_unit(x):
    if x is None:
        return '-'
    return '%.3g' % x


def timing_table(results, vms, benches, sizes, target_ms=None):
    """Rows of the long table: one per (benchmark, VM) that ran."""
    head = ['benchmark', 'vm', 'size', 'procs', 'n', 'warm-up', 'min ms', 'median ms', 'max ms',
            '+-%', 'ms/unit', 'first ms', 'cpu/wall', 'max RSS MB', 'JIT it.', 'JIT ms', 'GC it.', '+-% quiet']
    rows = []
    for b in benches:
        if b == TINY:
            continue
        for v in vms:
            r = results[b][v]
            if r['status'] == 'not run':
                continue
            size = fmt_size(sizes, b, v)
            if r['status'] == 'failed':
                rows.append([b, v, size, '0', '0', '', 'FAILED', '', '', '', '', '', '',
                             fmt_mb(r.get('maxrss_kb'))])
                continue
            low = target_ms and r['min_ms'] is not None and r['min_ms'] < target_ms
            warm = r.get('warmup_iterations') or []
            rows.append([b, v, size, str(r.get('processes_ok', '')), str(r['steady_samples']),
                         ','.join(str(k) for k in warm),
                         fmt_ms(r['min_ms']) + ('!' if low else ''), fmt_ms(r['median_ms']),
                         fmt_ms(r['max_ms']),
                         '%.0f' % r['spread_pct'] if r['spread_pct'] is not None else '-',
                         fmt_unit(r.get('ms_per_unit')), fmt_ms(r['first_ms']),
                         '%.2f' % r['cpu_wall'] if r.get('cpu_wall') else '-',
                         fmt_mb(r.get('maxrss_kb')),
                         str(r['jit_iterations']) if 'jit_iterations' in r else '-',
                         '%.0f' % r['steady_jit_ms'] if 'steady_jit_ms' in r else '-',
                         str(r['gc_iterations']) if 'gc_iterations' in r else '-',
                         '%.0f' % r['quiet_spread_pct'] if r.get('quiet_spread_pct') is not None
                         else '-'])
    return head, rows


def floor_summary(runs, fraction):
    """Steady min, median, max and spread of the noise floor's processes
    (bench/floor.py), cut like the VMs' iterations (steady_start)."""
    ok = [p for p in runs if p['status'] == 'ok']
    samples = [t for p in ok for t in steady(p['times'], fraction)]
    if not samples:
        return None
    lo, med, hi = min(samples), statistics.median(samples), max(samples)
    return {'target_ms': statistics.median([p['target_ms'] for p in ok]),
            'processes': len(ok), 'min_ms': lo, 'median_ms': med, 'max_ms': hi,
            'spread_pct': spread_pct(lo, med, hi)}


def floor_table(nf, results, benches, fraction):
    """Rows of the noise-floor table: each benchmark's VM spread next to
    the spread of the native workload run between its processes."""
    head = ['benchmark', 'vm', 'median ms', '+-%', '+-% quiet', 'floor procs', 'floor ms',
            'floor min', 'floor max', 'floor +-%']
    rows = []
    vm = nf['vm']
    for b in benches:
        if b == TINY or b not in nf['runs']:
            continue
        r = results[b][vm]
        f = floor_summary(nf['runs'][b], fraction)
        pct = lambda x: '%.0f' % x if x is not None else '-'
        rows.append([b, vm, fmt_ms(r.get('median_ms')), pct(r.get('spread_pct')),
                     pct(r.get('quiet_spread_pct')),
                     str(f['processes']) if f else '0',
                     fmt_ms(f['median_ms']) if f else 'FAILED',
                     fmt_ms(f['min_ms']) if f else '', fmt_ms(f['max_ms']) if f else '',
                     pct(f['spread_pct']) if f else ''])
    return head, rows


def linearity_table(lin):
    """lin: [{bench, vm, size, ms_per_unit, size2, ms_per_unit2}] from the
    harness's --linearity runs; ratio 1.00 = time grows exactly with size."""
    head = ['benchmark', 'vm', 'size', 'ms/unit', 'size 2', 'ms/unit at size 2', 'ratio', 'linear']
    rows = []
    for x in lin:
        ratio = (x['ms_per_unit2'] / x['ms_per_unit']
                 if x.get('ms_per_unit') and x.get('ms_per_unit2') else None)
        rows.append([x['bench'], x['vm'], str(x['size']), fmt_unit(x.get('ms_per_unit')),
                     str(x['size2']), fmt_unit(x.get('ms_per_unit2')),
                     '%.2f' % ratio if ratio else 'FAILED',
                     ('yes' if abs(ratio - 1) <= LINEAR_TOLERANCE else 'NO') if ratio else '-'])
    return head, rows


# a benchmark whose ms/unit changes by more than this between its two sizes
# is not linear enough to compare VMs that ran it at different sizes
LINEAR_TOLERANCE = 0.15


def nonlinear_benchmarks(lin):
    out = set()
    for x in lin or []:
        if x.get('ms_per_unit') and x.get('ms_per_unit2') and \
                abs(x['ms_per_unit2'] / x['ms_per_unit'] - 1) > LINEAR_TOLERANCE:
            out.add(x['bench'])
    return out


def tiny_table(results, vms):
    head = ['vm', 'bytecodes/s', 'sends/s', 'x sends', 'every run (bytecodes/sends, M)']
    rows = []
    for v in vms:
        r = results[TINY][v]
        if r['status'] == 'not run':
            continue
        if not r.get('tiny'):
            rows.append([v, 'FAILED', '', '', ''])
            continue
        med = r['tiny_median']
        sp = r.get('speedup')
        rows.append([v, '%.1fM' % (med[0] / 1e6), '%.1fM' % (med[1] / 1e6),
                     ('%.2f' % sp) if sp else '-',
                     ', '.join('%.0f/%.1f' % (a / 1e6, s / 1e6) for a, s in r['tiny'])])
    return head, rows


def vm_table(meta, results, vms, benches):
    head = ['vm', 'start-up ms', 'start-up RSS MB', 'max RSS MB (suite)', 'command']
    rows = []
    for v in vms:
        st = meta.get('startup', {}).get(v) or {}
        rss = [results[b][v].get('maxrss_kb') for b in benches]
        rss = [x for x in rss if x]
        rows.append([v, fmt_ms(st.get('ms')), fmt_mb(st.get('maxrss_kb')),
                     fmt_mb(max(rss) if rss else None), meta['vms'][v]])
    return head, rows


# the histories of --tiny-histories, in the order the harness runs them
TINY_HISTORIES = ['alone', 'after runner.st', 'after the suite', 'as in make bench']


def tiny_history_table(hist):
    """hist: {vm: {history: [bytecodes, sends] or None}} (5th run each)."""
    names = TINY_HISTORIES
    head = ['vm'] + names + ['worst/best sends']
    rows = []
    for v, per in hist.items():
        row = [v]
        sends = []
        for n in names:
            x = per.get(n)
            row.append('%.0fM / %.1fM' % (x[0] / 1e6, x[1] / 1e6) if x else 'FAILED')
            if x:
                sends.append(x[1])
        row.append('%.2f' % (min(sends) / max(sends)) if len(sends) == len(names) and max(sends) else '-')
        rows.append(row)
    return head, rows


def tiny_setups_table(per_setup):
    """per_setup: {vm: {history: [[bytecodes, sends] or None per setup]}}:
    each history's range of sends/s over its setups, and the worst over the
    best of every setup of every history."""
    names = TINY_HISTORIES
    head = ['vm'] + ['%s, sends/s' % n for n in names] + ['worst/best sends']
    rows = []
    for v, per in per_setup.items():
        row = [v]
        every = []
        for n in names:
            sends = [x[1] for x in per.get(n, []) if x]
            failed = len(per.get(n, [])) - len(sends)
            every.extend(sends)
            cell = '%.1fM-%.1fM' % (min(sends) / 1e6, max(sends) / 1e6) if sends else ''
            if failed:
                cell = (cell + ' ' if cell else '') + '%d FAILED' % failed
            row.append(cell)
        row.append('%.2f' % (min(every) / max(every)) if every and max(every) else '-')
        rows.append(row)
    return head, rows


def render_text(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)] if rows else [len(h) for h in head]
    def line(cells):
        return '  '.join(str(c).rjust(w) if i else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    out = [line(head), '-' * len(line(head))]
    out.extend(line(r) for r in rows)
    return '\n'.join(out)


def render_markdown(head, rows):
    out = ['| ' + ' | '.join(head) + ' |',
           '|' + '|'.join('---' if i == 0 else '---:' for i in range(len(head))) + '|']
    for r in rows:
        out.append('| ' + ' | '.join(str(c).replace('|', '\\|') for c in r) + ' |')
    return '\n'.join(out)


def full_report(meta, results, geo, render=render_text):
    """The whole report as text (render_text) or Markdown (render_markdown)."""
    vms, benches, sizes = meta['vm_order'], meta['benchmarks'], meta['sizes']
    baseline = meta['baseline']
    target = meta.get('calibrate_ms')
    md = render is render_markdown
    h = (lambda s: '\n### ' + s + '\n') if md else (lambda s: '\n' + s)
    parts = []
    lin = meta.get('linearity') or []
    if baseline and [b for b in benches if b != TINY]:
        parts.append(h('Speed-up over %s per unit of work (its median steady ms / size over '
                       'the VM\'s; higher is better), (size) = the size the VM ran; '
                       '* = some processes failed%s:'
                       % (baseline, '; ~ = not linear in its size (see the linearity check)'
                          if nonlinear_benchmarks(lin) else '')))
        parts.append(render(*speedup_table(results, geo, vms, benches, sizes, baseline,
                                           nonlinear_benchmarks(lin))))
    if [b for b in benches if b != TINY]:
        parts.append(h('Steady-state iterations, ms: min, median, max of every process\'s steady '
                       'iterations (at least the last %d%%; warm-up = iterations cut at the start '
                       'of each process, those slower than %.2f x the median of its last half); '
                       '+-%% = farthest of min/max from the median; cpu/wall = lowest CPU time / '
                       'wall time of a process (below 1: it waited for a core); JIT it. = '
                       'steady iterations in which the JIT compiled or gave up a trace (spy '
                       '--jit-events), JIT ms = the JIT\'s time in them (median of the '
                       'processes\' sums), GC it. = those with a step of a major collection '
                       '(PYPYLOG=gc-collect-step:- with stderr joined to stdout), +-%% quiet = '
                       'the spread of the steady iterations with neither (- = not recorded)%s:'
                       % (round(meta['steady_fraction'] * 100), WARMUP_FACTOR,
                          '; ! = below the %g ms target' % target if target else '')))
        parts.append(render(*timing_table(results, vms, benches, sizes, target)))
    nf = meta.get('noise_floor')
    if nf and nf.get('runs'):
        parts.append(h('Noise floor (--noise-floor %s): bench/noisefloor.c, a native loop with '
                       'the same work in every iteration and no JIT or GC, run after each '
                       'process of %s with as many iterations, each as long as that VM\'s '
                       'median steady iteration in its first process, timed in whole ms like '
                       'the benchmarks and cut the same way; floor +-%% is the machine\'s own '
                       'spread at that length: as much of a VM\'s +-%% is not the VM\'s doing:'
                       % (nf['kind'], nf['vm'])))
        parts.append(render(*floor_table(nf, results, benches, meta['steady_fraction'])))
    if lin:
        parts.append(h('Linearity check: ms per unit of size at the VM\'s calibrated size and at '
                       'size 2 = k x it, k = largest / smallest size of the VMs (2..8), in one '
                       'process; ratio = ms/unit at size 2 over ms/unit; linear = within %d%%:'
                       % round(100 * LINEAR_TOLERANCE)))
        parts.append(render(*linearity_table(lin)))
    if TINY in benches:
        parts.append(h('0 tinyBenchmarks (median of every run; x = sends/s over %s):' % (baseline or '-')))
        parts.append(render(*tiny_table(results, vms)))
    if meta.get('tiny_histories'):
        parts.append(h('tinyBenchmarks, last run of %s in one process, under four histories '
                       '(bytecodes/s / sends/s):' % meta.get('tiny_runs', 5)))
        parts.append(render(*tiny_history_table(meta['tiny_histories'])))
    if meta.get('tiny_history_setups'):
        parts.append(h('tinyBenchmarks histories in %d setups each (setup i files in one more '
                       'do-nothing line before tinyBenchmarks; the table above is setup 0), '
                       'sends/s of the last run, lowest-highest:' % meta['setups']))
        parts.append(render(*tiny_setups_table(meta['tiny_history_setups'])))
    parts.append(h('VMs (start-up = image load + quit, median of %d runs):'
                   % meta.get('startup_runs', 0)))
    parts.append(render(*vm_table(meta, results, vms, benches)))
    failures = []
    for b in benches:
        for v in vms:
            for p in results[b][v]['runs']:
                if p['status'] not in ('ok', 'not run'):
                    failures.append('%s on %s (process %d): %s: %s'
                                    % (b, v, p['process'], p['status'], p.get('error', '')))
    if failures:
        parts.append(h('Failures:'))
        parts.append('\n'.join(('- ' if md else '  ') + f for f in failures))
    return '\n'.join(parts) + '\n'
