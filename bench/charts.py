"""PNG charts of a harness run: speed-up bars (log scale) and warm-up curves."""
import math

TINY = 'tinyBenchmarks'


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def speedup_chart(path, results, geo, vms, benches, baseline):
    """Grouped bars: every VM's speed-up over the baseline per benchmark."""
    plt = _pyplot()
    names = [b for b in benches if b != TINY]
    if TINY in benches:
        names.append(TINY)
    names.append('geomean')
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(names) + 2), 5.5))
    width = 0.8 / max(1, len(vms))
    for i, v in enumerate(vms):
        vals = []
        for b in names:
            if b == 'geomean':
                vals.append(geo.get(v) or 0)
            else:
                vals.append(results[b][v].get('speedup') or 0)
        xs = [k + (i - (len(vms) - 1) / 2.0) * width for k in range(len(names))]
        ax.bar(xs, [x if x > 0 else float('nan') for x in vals], width, label=v)
        for k, b in enumerate(names):
            if b != 'geomean' and results[b][v].get('status') == 'failed':
                ax.text(xs[k], 1.0, 'failed', rotation=90, ha='center', va='bottom',
                        fontsize=7, color='red')
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([n if n != TINY else 'tiny (sends/s)' for n in names],
                       rotation=30, ha='right')
    ax.set_yscale('log')
    ax.axhline(1.0, color='grey', lw=0.8)
    ax.set_ylabel('speed-up over %s (log scale, higher is better)' % baseline)
    ax.set_title('steady-state speed-up')
    ax.legend(fontsize=8, ncol=min(4, len(vms)))
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def warmup_chart(path, results, vms, benches):
    """One panel per benchmark: median ms of iteration i per unit of size,
    per VM (log y)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator
    timed = [b for b in benches if b != TINY]
    cols = 4
    rows = max(1, int(math.ceil(len(timed) / float(cols))))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    for k in range(rows * cols):
        a = axes[k // cols][k % cols]
        if k >= len(timed):
            a.axis('off')
            continue
        b = timed[k]
        for v in vms:
            # per unit of size: the VMs may have run different sizes
            size = results[b][v].get('size') or 1
            curve = [x / float(size) for x in results[b][v].get('warmup_curve_ms') or []
                     if x is not None]
            if curve:
                a.plot(range(1, len(curve) + 1), [max(x, 0.001) for x in curve],
                       marker='.', label=v)
        a.set_yscale('log')
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
        a.set_title(b, fontsize=9)
        a.set_xlabel('iteration', fontsize=8)
        a.set_ylabel('ms / unit of size (log)', fontsize=8)
        a.tick_params(labelsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc='upper center', ncol=min(7, len(labels)), fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=80)
    plt.close(fig)


def write_charts(out_dir, results, geo, vms, benches, baseline):
    """Write speedup.png and warmup.png; answer the paths written."""
    import os
    paths = []
    if baseline and len(vms) > 1:
        p = os.path.join(out_dir, 'speedup.png')
        speedup_chart(p, results, geo, vms, benches, baseline)
        paths.append(p)
    if [b for b in benches if b != TINY]:
        p = os.path.join(out_dir, 'warmup.png')
        warmup_chart(p, results, vms, benches)
        paths.append(p)
    return paths


def main(argv=None):
    """`python3 bench/charts.py RESULTS_DIR`: (re)draw a run's charts from
    its results.json."""
    import json
    import os
    import sys
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write('usage: charts.py RESULTS_DIR\n')
        return 2
    with open(os.path.join(args[0], 'results.json')) as f:
        data = json.load(f)
    meta = data['meta']
    for p in write_charts(args[0], data['results'], data['geomean_speedup'],
                          meta['vm_order'], meta['benchmarks'], meta['baseline']):
        sys.stderr.write('wrote %s\n' % p)
    return 0


if __name__ == '__main__':
    import sys
    sys.exit(main())
