#!/usr/bin/env python3
"""Write docs/results.md from a harness output directory.

  python3 bench/results_md.py RESULTS_DIR DOCS_MD [--make-command CMD]

Copies the charts beside DOCS_MD (DOCS_MD's name without .md, as a folder)
and writes the machine, date, exact commands, every table and the charts.
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import full_report, render_markdown  # noqa: E402
from clock import clock_line  # noqa: E402


def markdown(data, chart_names, make_command=None, note=None):
    meta = data['meta']
    host = meta['host']
    load = host.get('loadavg_start') or []
    lines = ['# Measured results', '',
             'Refreshed by `make results` (never by hand): the latest measured run of the '
             'benchmark harness (bench/README.md).', '',
             '- date: %s' % meta['date'],
             '- machine: %s, %s cores, %s' % (host.get('cpu') or host.get('machine'),
                                              host.get('cpus'), host.get('system')),
             '- load average at the start / end: %s / %s%s' % (
                 ' '.join('%.1f' % x for x in load) or 'not recorded',
                 ' '.join('%.1f' % x for x in host.get('loadavg_end') or []),
                 ' (a loaded machine: other jobs shared the cores, so take the figures as '
                 'indicative)' if load and host.get('cpus') and load[0] > 0.5 * host['cpus'] else '')]
    if note:
        lines.append('- note: %s' % note)
    if make_command:
        lines.append('- command: `%s`' % make_command)
    lines.append('- harness command: `%s`' % meta['command'])
    lines.append('- image: `%s`' % meta['image'])
    if meta.get('refvms'):
        lines.append('- reference VMs: %s with our patches %s'
                     % (meta['refvms'].get('checkout'), ', '.join(meta['refvms'].get('patches') or [])))
    lines.append('- iterations per process: %d (%s), processes: %d (%s); steady state = at least '
                 'the last %d%% of each process, after its warm-up'
                 % (meta['iterations'], ', '.join('%s=%s' % kv for kv in meta.get('vm_iterations', {}).items()) or 'all VMs',
                    meta['processes'], ', '.join('%s=%s' % kv for kv in meta.get('vm_processes', {}).items()) or 'all VMs',
                    round(meta['steady_fraction'] * 100)))
    if meta.get('calibration'):
        if meta['calibration']['vm'] == 'each VM':
            lines.append('- sizes calibrated on each VM separately so that its steady iterations '
                         'take >= %g ms (but not much more; a size cannot go below 1); VMs are '
                         'compared per unit of size' % meta['calibrate_ms'])
        else:
            lines.append('- sizes calibrated on %s so that its steady iterations take >= %g ms'
                         % (meta['calibration']['vm'], meta['calibrate_ms']))
    if meta.get('budget_s'):
        lines.append('- time budget per VM: %s s%s' % (
            ', '.join('%s=%g' % kv for kv in meta['budget_s'].items()),
            '; processes skipped for it: %s' % '; '.join(
                '%s: %s' % (v, ', '.join('%s %d' % kv for kv in d.items()))
                for v, d in meta['budget_skipped'].items()) if meta.get('budget_skipped') else ''))
    if meta.get('wall_s'):
        lines.append('- wall-clock time of the harness run: %.0f s (%.1f min)'
                     % (meta['wall_s'], meta['wall_s'] / 60.0))
    if meta.get('clock') == 'lines':
        lines.append('- ' + clock_line(meta['vm_order'], meta['benchmarks'], data['results']))
    if meta.get('history_vms'):
        lines.append('- NAME+hist: the VM in history mode (each benchmark runs after every other '
                     'selected benchmark was filed in and run once in the same process)')
    lines.append('')
    for name in chart_names:
        lines.append('![%s](%s)' % (os.path.splitext(os.path.basename(name))[0], name))
        lines.append('')
    lines.append(full_report(meta, data['results'], data['geomean_speedup'], render_markdown))
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('results_dir')
    ap.add_argument('docs_md')
    ap.add_argument('--make-command', help='the make command that produced the results')
    ap.add_argument('--note', help='a remark on the run (e.g. how the machine was loaded)')
    args = ap.parse_args(argv)
    try:
        with open(os.path.join(args.results_dir, 'results.json')) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write('results_md: %s\n' % e)
        return 1
    folder = os.path.splitext(args.docs_md)[0]
    os.makedirs(folder, exist_ok=True)
    charts = []
    for png in ('speedup.png', 'warmup.png'):
        src = os.path.join(args.results_dir, png)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(folder, png))
            charts.append(os.path.basename(folder) + '/' + png)
    with open(args.docs_md, 'w') as f:
        f.write(markdown(data, charts, args.make_command, args.note))
    sys.stderr.write('wrote %s\n' % args.docs_md)
    return 0


if __name__ == '__main__':
    sys.exit(main())
