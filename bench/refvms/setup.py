#!/usr/bin/env python3
"""Build tonyg's reference SmallWorld VMs for the harness.

  python3 bench/refvms/setup.py CHECKOUT [--out DIR]

CHECKOUT is a clone of spdegabrielle/smalltalk-tng (you clone it; this
project never ships or downloads its code).  The VMs of
experiments/little-smalltalk are copied to DIR (default bench/refvms/build,
the checkout is not modified), our patches (bench/refvms/patches/*.patch,
one per bug, each explained at its top) are applied, run.cc is compiled with
g++ -O2 and the three Racket VMs with `raco make`.  DIR/refvms.json then
registers them with the harness (`harness.py --refvms DIR`):

  cxx          run.cc: the C++ interpreter (its built-in tinyBenchmarks only)
  racket       run-SmallWorld-2015.rkt: the Racket interpreter
  racket-jit   jit-SmallWorld-2015.rkt: the Racket PIC JIT
  racket-pe    pe-SmallWorld-2015.rkt: the Racket partial-evaluation JIT

Needs g++, patch, racket (Debian: apt-get install racket xvfb) and Xvfb.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
SUBDIR = os.path.join('experiments', 'little-smalltalk')
SOURCES = ['run.cc', 'object-memory.rkt', 'primitives.rkt',
           'run-SmallWorld-2015.rkt', 'jit-SmallWorld-2015.rkt',
           'pe-SmallWorld-2015.rkt']
RACKET_VMS = [('racket', 'run-SmallWorld-2015.rkt', 'the Racket interpreter'),
              ('racket-jit', 'jit-SmallWorld-2015.rkt', 'the Racket PIC JIT'),
              ('racket-pe', 'pe-SmallWorld-2015.rkt', 'the Racket PE JIT')]
IMAGE = os.path.join('SmallWorld', 'src', 'image')


def fail(msg):
    sys.stderr.write('refvms setup: %s\n' % msg)
    sys.exit(1)


def run(cmd, cwd):
    sys.stderr.write('$ %s\n' % ' '.join(cmd))
    try:
        subprocess.run(cmd, cwd=cwd, check=True)
    except FileNotFoundError:
        fail('%s is not installed' % cmd[0])
    except subprocess.CalledProcessError as e:
        fail('%s failed (status %d)' % (' '.join(cmd), e.returncode))


def find_sources(checkout):
    for d in (os.path.join(checkout, SUBDIR), checkout):
        if all(os.path.exists(os.path.join(d, f)) for f in SOURCES):
            return d
    fail('%s is not a smalltalk-tng checkout (no %s/run.cc etc.)' % (checkout, SUBDIR))


def registry(out, src):
    """The harness's view of the built VMs: command templates and notes."""
    refvm = os.path.join(BENCH, 'refvm.py')
    vms = {'cxx': {'template': 'python3 %s cxx %s {image} {files}'
                   % (refvm, os.path.join(out, 'runcc')),
                   'benchmarks': ['tinyBenchmarks'],
                   'display': False,
                   'note': 'the C++ interpreter (run.cc, g++ -O2)'}}
    for name, rkt, note in RACKET_VMS:
        vms[name] = {'template': 'python3 %s racket %s {image} {files}'
                     % (refvm, os.path.join(out, rkt)),
                     'display': True,
                     # no Float primitives in the Racket VMs
                     'excluded': ['nbody'],
                     'note': note}
    return {'checkout': os.path.abspath(src),
            'image': os.path.join(os.path.abspath(src), IMAGE),
            'patches': sorted(os.path.basename(p) for p in patches()),
            'vms': vms}


def patches():
    return sorted(glob.glob(os.path.join(HERE, 'patches', '*.patch')))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkout', help='a clone of spdegabrielle/smalltalk-tng')
    ap.add_argument('--out', default=os.path.join(HERE, 'build'),
                    help='build directory (default bench/refvms/build)')
    args = ap.parse_args(argv)
    src = find_sources(os.path.abspath(args.checkout))
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for f in SOURCES:
        shutil.copy(os.path.join(src, f), out)
    for p in patches():
        run(['patch', '-p1', '--quiet', '--forward', '-i', p], out)
    run(['g++', '-O2', '-o', 'runcc', 'run.cc'], out)
    for _, rkt, _ in RACKET_VMS:
        run(['raco', 'make', rkt], out)
    reg = registry(out, src)
    if not os.path.exists(reg['image']):
        fail('the checkout has no image at %s' % reg['image'])
    with open(os.path.join(out, 'refvms.json'), 'w') as f:
        json.dump(reg, f, indent=1)
    sys.stderr.write('reference VMs ready in %s (%s)\n' % (out, ', '.join(sorted(reg['vms']))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
