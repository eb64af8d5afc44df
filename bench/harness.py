#!/usr/bin/env python3
"""Benchmark harness for spy and other SmallWorld 2015 VMs.

Runs the benchmark files of this directory (runner protocol: see README.md)
on one or more VMs, several iterations per process and several processes,
and writes a text table, a JSON file and (if matplotlib is installed) a PNG
chart with speed-up bars and warm-up curves.

Example:
  python3 bench/harness.py --image PATH/TO/image \\
      --vm spy='./spy {image} {files}' --vm nojit='./spy-nojit {image} {files}' \\
      --baseline nojit --iterations 10 --processes 3 --out bench/results

A VM is NAME=TEMPLATE; TEMPLATE is a shell command in which {image} is
replaced by the image path and {files} by the .st files to file in, in order
(runner.st, the benchmark, a generated driver, a quit file).  The VM must
file them in after `SmallWorld startUp` and print the Transcript on stdout
(or stderr).  Use bench/refvm.py to run the Racket / C++ reference VMs.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (file, class, note)
BENCHMARKS = {
    'richards':       ('richards.st', 'BenchRichards', 'OS task scheduler simulation'),
    'deltablue':      ('deltablue.st', 'BenchDeltaBlue', 'incremental constraint solver'),
    'bounce':         ('bounce.st', 'BenchBounce', 'balls bouncing in a box'),
    'list':           ('list.st', 'BenchList', 'recursive linked-list tail function'),
    'permute':        ('permute.st', 'BenchPermute', 'permutations by swapping'),
    'queens':         ('queens.st', 'BenchQueens', '8 queens'),
    'sieve':          ('sieve.st', 'BenchSieve', 'sieve of Eratosthenes'),
    'storage':        ('storage.st', 'BenchStorage', 'tree of arrays, allocation'),
    'towers':         ('towers.st', 'BenchTowers', 'towers of Hanoi'),
    'mandelbrot':     ('mandelbrot.st', 'BenchMandelbrot', 'Mandelbrot, fixed-point integers'),
    'nbody':          ('nbody.st', 'BenchNBody', 'n-body simulation, needs Float'),
    'polymorphic':    ('polymorphic.st', 'BenchPolymorphic', 'megamorphic send sites (20 classes)'),
    'tinyBenchmarks': ('tinybenchmarks.st', 'BenchTiny', "the image's 0 tinyBenchmarks"),
}
ALIASES = {'tiny': 'tinyBenchmarks', 'tinybenchmarks': 'tinyBenchmarks'}
TINY = 'tinyBenchmarks'

# Lines may be prefixed by the VM (e.g. a log tag), so only require that the
# keyword is not glued to a preceding word.
BENCH_RE = re.compile(r'(?<![\w-])BENCH (\S+) (\d+) (-?\d+)(?!\S)')
OK_RE = re.compile(r'(?<![\w-])BENCH-OK (\S+)(?!\S)')
FAIL_RE = re.compile(r'(?<![\w-])BENCH-FAIL (\S+) (.*)')
START_RE = re.compile(r'(?<![\w-])BENCH-START (\S+) (\d+) (\d+)(?!\S)')
TINY_RE = re.compile(r'(\d+) bytecodes/sec; (\d+) sends/sec')
TINY_LINE_RE = re.compile(r'(?<![\w-])TINY (\d+) (\d+) bytecodes/sec; (\d+) sends/sec')


# ---------------------------------------------------------------------------
# running

def run_process(cmd, timeout, log_path):
    """Run a shell command; return (rc, stdout+stderr text, seconds, timed_out)."""
    t0 = time.time()
    proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    dt = time.time() - t0
    text_out = out.decode('utf-8', 'replace')
    text_err = err.decode('utf-8', 'replace')
    if log_path:
        with open(log_path, 'w') as f:
            f.write('$ %s\n# rc=%s seconds=%.1f timed_out=%s\n' % (cmd, proc.returncode, dt, timed_out))
            f.write('---- stdout ----\n' + text_out)
            f.write('\n---- stderr ----\n' + text_err)
    return proc.returncode, text_out + '\n' + text_err, dt, timed_out


def parse_output(text, bench):
    """Extract iteration times, status and tinyBenchmarks figures."""
    times = {}
    for m in BENCH_RE.finditer(text):
        if m.group(1) == bench:
            times[int(m.group(2))] = int(m.group(3))
    ok = any(m.group(1) == bench for m in OK_RE.finditer(text))
    fails = sorted(set(m.group(2).strip() for m in FAIL_RE.finditer(text)
                       if m.group(1) == bench))
    # A VM that prints the whole Transcript at every update repeats lines:
    # key the runner's TINY lines by run number.  Without them (run.cc's
    # fixed task) take every bytecodes/sec line.
    tiny_runs = {}
    for m in TINY_LINE_RE.finditer(text):
        tiny_runs[int(m.group(1))] = [int(m.group(2)), int(m.group(3))]
    if tiny_runs:
        tiny = [tiny_runs[k] for k in sorted(tiny_runs)]
    else:
        tiny = [[int(a), int(b)] for a, b in TINY_RE.findall(text)]
    started = any(m.group(1) == bench for m in START_RE.finditer(text))
    return [times[k] for k in sorted(times)], ok, fails, tiny, started


def error_excerpt(text, limit=400):
    """A short hint of what went wrong, from the VM's output."""
    lines = [l for l in text.splitlines() if l.strip()]
    keys = ('does not understand', 'error', 'Error', 'failed', 'BENCH-FAIL',
            'not found', 'Traceback', 'illegal', 'violation', 'no value found',
            'expected:', 'No such file', 'not recognized', 'Segmentation')
    hits = [l for l in lines if any(k in l for k in keys)]
    s = ' | '.join(hits[:3]) if hits else ' | '.join(lines[-3:])
    return s[:limit]


def write_driver(tmpdir, bench, iterations, size):
    cls = BENCHMARKS[bench][1]
    driver = os.path.join(tmpdir, 'driver-%s.st' % bench)
    with open(driver, 'w') as f:
        f.write('EVAL BenchRunner run: %s iterations: %d size: %d\n' % (cls, iterations, size))
        f.write('EVAL BenchRunner done\n')
    quit_file = os.path.join(tmpdir, 'quit.st')
    with open(quit_file, 'w') as f:
        f.write('EVAL <117 nil>\n')
    return [os.path.join(HERE, 'runner.st'), os.path.join(HERE, BENCHMARKS[bench][0]),
            driver, quit_file]


def expand(template, image, files):
    return template.replace('{image}', shlex.quote(image)).replace(
        '{files}', ' '.join(shlex.quote(f) for f in files))


# ---------------------------------------------------------------------------
# statistics

def steady(times, fraction):
    """The steady-state part of one process's iterations: the last `fraction`."""
    if not times:
        return []
    k = max(1, int(math.ceil(len(times) * fraction)))
    return times[-k:]


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def summarize(results, vms, benches, baseline, fraction):
    for b in benches:
        for v in vms:
            r = results[b][v]
            ok_runs = [p for p in r['runs'] if p['status'] == 'ok']
            r['status'] = ('ok' if ok_runs and len(ok_runs) == len(r['runs'])
                           else 'partial' if ok_runs else 'failed')
            samples = []
            medians = []
            for p in ok_runs:
                s = steady(p['times'], fraction)
                samples.extend(s)
                if s:
                    medians.append(statistics.median(s))
            r['steady_samples'] = len(samples)
            r['median_ms'] = statistics.median(samples) if samples else None
            r['min_ms'] = min(samples) if samples else None
            firsts = [p['times'][0] for p in ok_runs if p['times']]
            r['first_ms'] = statistics.median(firsts) if firsts else None
            r['process_medians_ms'] = medians
            # per-iteration mean over OK processes (warm-up curve)
            n = max([len(p['times']) for p in ok_runs] or [0])
            curve = []
            for i in range(n):
                vals = [p['times'][i] for p in ok_runs if len(p['times']) > i]
                curve.append(statistics.mean(vals) if vals else None)
            r['warmup_curve_ms'] = curve
            tiny = [t for p in ok_runs for t in p.get('tiny', [])]
            if tiny:
                r['tiny'] = tiny
                r['tiny_median'] = [statistics.median([t[0] for t in tiny]),
                                    statistics.median([t[1] for t in tiny])]
    geo = {}
    for v in vms:
        ratios = []
        for b in benches:
            r = results[b][v]
            base = results[b][baseline] if baseline else None
            r['speedup'] = None
            if b == TINY and r.get('tiny_median') and base and base.get('tiny_median'):
                # higher is better for tinyBenchmarks: use sends/sec
                r['speedup'] = r['tiny_median'][1] / max(base['tiny_median'][1], 1)
            elif base and r['median_ms'] is not None and base['median_ms'] is not None:
                r['speedup'] = max(base['median_ms'], 0.5) / max(r['median_ms'], 0.5)
            if r['speedup'] and b != TINY:
                ratios.append(r['speedup'])
        geo[v] = geomean(ratios) if baseline else None
    return geo


# ---------------------------------------------------------------------------
# reporting

def fmt_ms(x):
    if x is None:
        return '-'
    return '%.0f' % x if x >= 10 else '%.1f' % x


def text_report(meta, results, geo, vms, benches, baseline):
    lines = []
    lines.append('spy benchmark results  %s' % meta['date'])
    lines.append('image: %s' % meta['image'])
    lines.append('iterations/process: %d  processes: %d  steady state: last %d%% of iterations'
                 % (meta['iterations'], meta['processes'], round(meta['steady_fraction'] * 100)))
    for v in vms:
        lines.append('  %-10s %s' % (v, meta['vms'][v]))
    lines.append('')
    head = '%-15s %6s' % ('benchmark', 'size')
    for v in vms:
        head += ' | %10s %7s' % (v + ' ms', 'x' + (baseline or '')[:6] if baseline else '')
    lines.append(head)
    lines.append('-' * len(head))
    for b in benches:
        if b == TINY:
            continue
        row = '%-15s %6s' % (b, meta['sizes'].get(b, ''))
        for v in vms:
            r = results[b][v]
            if r['status'] == 'failed':
                cell = '%10s %7s' % ('FAILED', '')
            else:
                med = fmt_ms(r['median_ms']) + ('*' if r['status'] == 'partial' else '')
                sp = ('%.2f' % r['speedup']) if r.get('speedup') else '-'
                cell = '%10s %7s' % (med, sp if baseline else '')
            row += ' | ' + cell
        lines.append(row)
    if baseline:
        row = '%-15s %6s' % ('geomean', '')
        for v in vms:
            g = geo.get(v)
            row += ' | %10s %7s' % ('', ('%.2f' % g) if g else '-')
        lines.append(row)
    lines.append('')
    lines.append('ms = median of the steady-state iterations of all successful processes;')
    lines.append('x%s = speed-up over %s (its ms / this VM ms); * = some processes failed.'
                 % (baseline or '', baseline or '-'))
    if TINY in benches:
        lines.append('')
        lines.append('0 tinyBenchmarks (every run; median first):')
        for v in vms:
            r = results[TINY][v]
            if r.get('tiny'):
                med = r['tiny_median']
                each = ', '.join('%d/%d' % (a, s) for a, s in r['tiny'])
                sp = r.get('speedup')
                lines.append('  %-10s %12d bytecodes/sec %10d sends/sec %s  runs (bytecodes/sends): %s'
                             % (v, med[0], med[1], ('x%.2f' % sp) if sp else '     ', each))
            else:
                lines.append('  %-10s FAILED' % v)
    failures = []
    for b in benches:
        for v in vms:
            for p in results[b][v]['runs']:
                if p['status'] != 'ok':
                    failures.append('  %s on %s (process %d): %s: %s'
                                    % (b, v, p['process'], p['status'], p.get('error', '')))
    if failures:
        lines.append('')
        lines.append('failures:')
        lines.extend(failures)
    return '\n'.join(lines) + '\n'


def make_chart(path, results, geo, vms, benches, baseline):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return False
    timed = [b for b in benches if b != TINY]
    bar_names = list(timed)
    if TINY in benches and baseline:
        bar_names.append(TINY)
    ncurves = len(benches)
    cols = 4
    rows = int(math.ceil(ncurves / float(cols)))
    fig = plt.figure(figsize=(4 * cols, 4 + 2.8 * rows))
    gs = fig.add_gridspec(rows + 1, cols, height_ratios=[1.4] + [1] * rows)
    ax = fig.add_subplot(gs[0, :])
    width = 0.8 / max(1, len(vms))
    names = bar_names + (['geomean'] if baseline else [])
    for i, v in enumerate(vms):
        vals = []
        for b in bar_names:
            r = results[b][v]
            if baseline:
                vals.append(r.get('speedup') or 0)
            else:
                vals.append(r['median_ms'] or 0)
        if baseline:
            vals.append(geo.get(v) or 0)
        xs = [k + (i - (len(vms) - 1) / 2.0) * width for k in range(len(names))]
        ax.bar(xs, vals, width, label=v)
        for k, b in enumerate(bar_names):
            if results[b][v].get('status') == 'failed':
                ax.text(xs[k], 1.0 if baseline else 0, 'failed', rotation=90,
                        ha='center', va='bottom', fontsize=7, color='red')
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([n if n != TINY else 'tiny (sends/s)' for n in names],
                       rotation=30, ha='right')
    if baseline:
        ax.set_ylabel('speed-up over %s (higher is better)' % baseline)
        ax.axhline(1.0, color='grey', lw=0.8)
        ax.set_yscale('log')
    else:
        ax.set_ylabel('median iteration time, ms (lower is better)')
    ax.legend()
    ax.set_title('steady-state performance')
    for k, b in enumerate(benches):
        a = fig.add_subplot(gs[1 + k // cols, k % cols])
        for v in vms:
            r = results[b][v]
            curve = r.get('warmup_curve_ms') or []
            if curve:
                a.plot(range(1, len(curve) + 1), curve, marker='.', label=v)
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
        a.set_title(b, fontsize=9)
        a.set_xlabel('iteration', fontsize=8)
        a.set_ylabel('ms', fontsize=8)
        a.tick_params(labelsize=7)
        a.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------

def parse_kv(items, what):
    d = {}
    for it in items or []:
        if '=' not in it:
            sys.exit('harness: %s must be NAME=VALUE, got %r' % (what, it))
        k, v = it.split('=', 1)
        d[k.strip()] = v
    return d


def bench_list(spec):
    if not spec or spec == 'all':
        return list(BENCHMARKS)
    out = []
    for b in spec.replace(',', ' ').split():
        b = ALIASES.get(b, b)
        if b not in BENCHMARKS:
            sys.exit('harness: unknown benchmark %r (known: %s)' % (b, ', '.join(BENCHMARKS)))
        out.append(b)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--vm', action='append', default=[], metavar='NAME=TEMPLATE',
                    help='a VM command template with {image} and {files} (repeatable)')
    ap.add_argument('--image', help='the SmallWorld image file')
    ap.add_argument('--benchmarks', '-b', default='all',
                    help='comma/space separated names, or "all" (default)')
    ap.add_argument('--iterations', '-n', type=int, default=10,
                    help='iterations per process (default 10)')
    ap.add_argument('--processes', '-p', type=int, default=3,
                    help='processes (repeats) per VM and benchmark (default 3)')
    ap.add_argument('--tiny-runs', type=int, default=5,
                    help='0 tinyBenchmarks runs per process (default 5)')
    ap.add_argument('--size', action='append', default=[], metavar='BENCH=N',
                    help='problem size for one benchmark (default: its defaultSize)')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every default size by this factor (sizes stay >= 1)')
    ap.add_argument('--timeout', type=float, default=900,
                    help='seconds per process (default 900)')
    ap.add_argument('--baseline', help='VM name that ratios are computed against '
                    '(default: the last --vm)')
    ap.add_argument('--vm-benchmarks', action='append', default=[], metavar='VM=LIST',
                    help='restrict a VM to some benchmarks (others are reported as not run)')
    ap.add_argument('--steady-fraction', type=float, default=0.5,
                    help='fraction of the last iterations counted as steady state (default 0.5)')
    ap.add_argument('--out', default=os.path.join(HERE, 'results'),
                    help='output directory (default bench/results)')
    ap.add_argument('--list', action='store_true', help='list the benchmarks and exit')
    args = ap.parse_args(argv)

    if args.list:
        for b, (f, c, note) in BENCHMARKS.items():
            print('%-15s %-18s %-18s %s (default size %s)' % (b, f, c, note, default_size(b)))
        return 0
    if not args.vm or not args.image:
        ap.error('--vm and --image are required')
    vms_t = {}
    vms = []
    for spec in args.vm:
        if '=' not in spec:
            ap.error('--vm must be NAME=TEMPLATE')
        k, v = spec.split('=', 1)
        vms_t[k] = v
        vms.append(k)
    baseline = args.baseline if args.baseline is not None else (vms[-1] if len(vms) > 1 else None)
    if baseline == '':
        baseline = None
    if baseline and baseline not in vms_t:
        ap.error('--baseline %r is not one of the VMs' % baseline)
    benches = bench_list(args.benchmarks)
    sizes = {}
    user_sizes = parse_kv(args.size, '--size')
    for b in benches:
        if b in user_sizes:
            sizes[b] = int(user_sizes[b])
        elif b == TINY:
            sizes[b] = 1
        else:
            sizes[b] = max(1, int(round(default_size(b) * args.scale)))
    restrict = {k: bench_list(v) for k, v in parse_kv(args.vm_benchmarks, '--vm-benchmarks').items()}
    image = os.path.abspath(args.image)
    if not os.path.exists(image):
        ap.error('image not found: %s' % image)

    os.makedirs(args.out, exist_ok=True)
    logdir = os.path.join(args.out, 'logs')
    os.makedirs(logdir, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix='spybench-')

    results = {b: {v: {'runs': []} for v in vms} for b in benches}
    total = len(benches) * len(vms) * args.processes
    done = 0
    for p in range(1, args.processes + 1):
        for b in benches:
            iters = args.tiny_runs if b == TINY else args.iterations
            files = write_driver(tmpdir, b, iters, sizes[b])
            for v in vms:
                done += 1
                if v in restrict and b not in restrict[v]:
                    results[b][v]['runs'].append({'process': p, 'status': 'not run',
                                                  'times': [], 'error': 'excluded by --vm-benchmarks'})
                    continue
                cmd = expand(vms_t[v], image, files)
                log = os.path.join(logdir, '%s-%s-p%d.log' % (b, v, p))
                sys.stderr.write('[%d/%d] %s on %s, process %d ... ' % (done, total, b, v, p))
                sys.stderr.flush()
                rc, text, secs, timed_out = run_process(cmd, args.timeout, log)
                times, ok, fails, tiny, started = parse_output(text, b)
                run = {'process': p, 'times': times, 'wall_s': round(secs, 2), 'rc': rc}
                if tiny:
                    run['tiny'] = tiny
                if b == TINY and tiny and not timed_out:
                    # VMs that only run the fixed tinyBenchmarks task (run.cc)
                    # print the line without the runner protocol.
                    ok = ok or not started
                if timed_out:
                    run['status'] = 'timeout'
                    run['error'] = 'timed out after %ds; %s' % (args.timeout, error_excerpt(text))
                elif ok and not fails and (times or b == TINY):
                    run['status'] = 'ok'
                else:
                    run['status'] = 'failed'
                    run['error'] = ('check failed: ' + '; '.join(fails[:3])) if fails else (
                        'rc=%s, no BENCH-OK; %s' % (rc, error_excerpt(text)))
                results[b][v]['runs'].append(run)
                sys.stderr.write('%s %s (%.1fs)\n' % (
                    run['status'], ' '.join(str(t) for t in times[:12]), secs))

    for b in benches:
        for v in vms:
            runs = results[b][v]['runs']
            if runs and all(r['status'] == 'not run' for r in runs):
                results[b][v]['runs'] = []
    geo = summarize(results, vms, benches, baseline, args.steady_fraction)
    for b in benches:
        for v in vms:
            if not results[b][v]['runs']:
                results[b][v]['status'] = 'not run'
    meta = {
        'date': datetime.datetime.now().isoformat(timespec='seconds'),
        'image': image,
        'vms': vms_t,
        'vm_order': vms,
        'baseline': baseline,
        'benchmarks': benches,
        'sizes': sizes,
        'iterations': args.iterations,
        'tiny_runs': args.tiny_runs,
        'processes': args.processes,
        'steady_fraction': args.steady_fraction,
        'timeout_s': args.timeout,
        'host': {'machine': platform.machine(), 'node': platform.node(),
                 'python': platform.python_version(), 'cpus': os.cpu_count()},
    }
    report = text_report(meta, results, geo, vms, benches, baseline)
    sys.stdout.write(report)
    with open(os.path.join(args.out, 'results.txt'), 'w') as f:
        f.write(report)
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump({'meta': meta, 'results': results, 'geomean_speedup': geo}, f, indent=1)
    png = os.path.join(args.out, 'results.png')
    if make_chart(png, results, geo, vms, benches, baseline):
        sys.stderr.write('wrote %s\n' % png)
    else:
        sys.stderr.write('matplotlib not available: no chart\n')
    sys.stderr.write('wrote %s and %s\n' % (os.path.join(args.out, 'results.txt'),
                                            os.path.join(args.out, 'results.json')))
    return 0


_SIZE_RE = re.compile(r'defaultSize\s*\n\s*\^\s*(\d+)')


def default_size(bench):
    """The benchmark's defaultSize, read from its .st file."""
    path = os.path.join(HERE, BENCHMARKS[bench][0])
    try:
        with open(path) as f:
            m = _SIZE_RE.search(f.read())
        return int(m.group(1)) if m else 1
    except OSError:
        return 1


if __name__ == '__main__':
    sys.exit(main())
