"""`python3 -m tools.fuzz run|repro|report|show` (run from the repo root).

  run     a campaign: --seed, --families, --count or --minutes
  repro   rebuild one case by id, run it on the binaries, print the
          classification and a shell command that reruns it by hand
  report  the Markdown report of result files (default build/fuzz/*.jsonl)
  show    print a case's description (and its .st/REPL text)
  triage  failing cases grouped by what each binary did
  slice   the short deterministic slice that CI runs (own image only);
          exit status 1 on any crash, hang, over-memory or mismatch
"""

import argparse
import glob
import os
import shutil
import sys

from tools.fuzz import campaign as campaign_mod
from tools.fuzz import report as report_mod
from tools.fuzz import runner
from tools.fuzz.cases import BaseImages, make_case, shrink_case, KINDS, IMAGES
from tools.fuzz.seeds import parse_case_id

GB = 1024 ** 3


def common(p):
    p.add_argument("--spy", default="./spy", help="JIT binary")
    p.add_argument("--spy-nojit", default="./spy-nojit",
                   help="interpreter binary")
    p.add_argument("--own-image", default="images/spy.image")
    p.add_argument("--real-image", default=os.environ.get("SMALLWORLD_IMAGE"),
                   help="the real SmallWorld image (default $SMALLWORLD_IMAGE)")
    p.add_argument("--timeout", type=float, default=runner.DEFAULT_TIMEOUT)
    p.add_argument("--as-limit-gb", type=float,
                   default=runner.DEFAULT_AS_LIMIT / GB,
                   help="address-space limit per run (GB)")
    p.add_argument("--no-big", action="store_true",
                   help="leave out 1 MB lines and 10 MB files")
    p.add_argument("--vm-max-time", type=int, default=None,
                   help="--max-time given to each VM, 0 for none (default: "
                   "two thirds of --timeout)")


def vm_flags(args):
    seconds = args.vm_max_time
    if seconds is None:
        seconds = runner.vm_time_limit(args.timeout)
    return ("--max-time", str(seconds)) if seconds > 0 else ()


def binaries(args):
    found = []
    for name, path in (("spy", args.spy), ("spy-nojit", args.spy_nojit)):
        if path and path != "-":
            found.append((name, os.path.abspath(path)))
    return found


def snapshot(bins, out_dir):
    """Private copies of the binaries, named by content, so a rebuild of
    the originals during a long campaign cannot pull them away."""
    import hashlib
    copies = []
    for name, path in bins:
        with open(path, "rb") as f:
            digest = hashlib.sha1(f.read()).hexdigest()[:12]
        directory = os.path.abspath(os.path.join(out_dir, "bin", digest))
        os.makedirs(directory, exist_ok=True)
        copy = os.path.join(directory, name)
        if not os.path.exists(copy):
            shutil.copy2(path, copy + ".tmp")
            os.rename(copy + ".tmp", copy)
        sys.stderr.write("%s: %s (copy of %s)\n" % (name, copy, path))
        copies.append((name, copy))
    return copies


def bases_of(args):
    return BaseImages({"own": args.own_image, "real": args.real_image})


def cmd_run(args):
    bases = bases_of(args)
    families = []
    for fam in args.families.split(","):
        kind, which = fam.split(".")
        if not bases.available(which):
            sys.stderr.write("skipping %s: no %s image\n" % (fam, which))
            continue
        families.append(fam)
    bins = binaries(args)
    for name, path in bins:
        if not os.access(path, os.X_OK):
            sys.exit("no binary %s at %s" % (name, path))
    os.makedirs(args.out, exist_ok=True)
    bins = snapshot(bins, args.out)
    out_path = os.path.join(args.out, "results-seed%d.jsonl" % args.seed)
    counts = None
    if args.count:
        counts = dict((f, args.count) for f in families)
    weights = dict(campaign_mod.WEIGHTS)
    for item in filter(None, (args.weights or "").split(",")):
        kind, weight = item.split("=")
        weights[kind] = int(weight)
    records = campaign_mod.campaign(
        families, args.seed, bases, bins, out_path, counts=counts,
        minutes=args.minutes, start=args.start, timeout=args.timeout,
        as_limit=int(args.as_limit_gb * GB), big=not args.no_big,
        weights=weights, vm_flags=vm_flags(args), jobs=args.jobs)
    sys.stderr.write("%d cases appended to %s\n" % (len(records), out_path))
    write_report(args.out, [out_path] if args.only_this else None)


def write_report(out_dir, paths=None):
    paths = paths or sorted(glob.glob(os.path.join(out_dir, "*.jsonl")))
    text = report_mod.markdown(report_mod.load(paths))
    path = os.path.join(out_dir, "report.md")
    with open(path, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    sys.stdout.write("(written to %s)\n" % path)


# the CI slice: fixed seed, own image, no 1 MB / 10 MB inputs
SLICE_SEED = 1
SLICE = [("image-struct.own", 20), ("image-raw.own", 8), ("st.own", 10),
         ("repl.own", 6)]
SLICE_TIMEOUT = 20.0


def cmd_slice(args):
    bases = bases_of(args)
    bins = binaries(args)
    os.makedirs(args.out, exist_ok=True)
    out_path = os.path.join(args.out, "slice.jsonl")
    if os.path.exists(out_path):
        os.unlink(out_path)
    families = [f for f, _ in SLICE]
    campaign_mod.campaign(families, SLICE_SEED, bases, bins, out_path,
                          counts=dict(SLICE), timeout=args.timeout,
                          as_limit=int(args.as_limit_gb * GB), big=False,
                          vm_flags=vm_flags(args))
    records = report_mod.load([out_path])
    text = report_mod.markdown(records, title="spy fuzz slice")
    sys.stdout.write(text)
    bad = [r for r in records if r["mismatch"] or any(
        x["class"] in runner.FAILURES for x in r["results"].values())]
    sys.exit(1 if bad else 0)


def cmd_report(args):
    write_report(args.out, args.files)


def cmd_triage(args):
    from tools.fuzz.triage import triage_text
    paths = args.files or sorted(glob.glob(os.path.join(args.out, "*.jsonl")))
    sys.stdout.write(triage_text(report_mod.load(paths), args.examples))


def cmd_show(args):
    family, seed, number = parse_case_id(args.id)
    case = make_case(family, seed, number, bases_of(args), not args.no_big)
    print("%s: %s" % (case.id, case.note))
    print("args: %s" % " ".join(case.args))
    for name, data in sorted(case.files.items()):
        if not name.endswith(".image"):
            print("--- %s (%d bytes)" % (name, len(data)))
            print(data[:2000].decode("latin-1"))


def cmd_repro(args):
    family, seed, number = parse_case_id(args.id)
    bases = bases_of(args)
    case = make_case(family, seed, number, bases, not args.no_big)
    directory = args.dir or os.path.join("/tmp/spy-fuzz-repro",
                                         case.id.replace("/", "_"))
    print("%s: %s" % (case.id, case.note))
    worst = _repro_run(case, directory, args)
    if args.shrink and case.edits and len(case.edits) > 1 and worst:
        for edit in case.edits:
            small = shrink_case(case, [edit], bases)
            sub = directory + "-min"
            print("trying edit alone: %r" % (edit[:3],))
            again = _repro_run(small, sub, args, quiet=True)
            if again and again[0] == worst[0]:
                print("one edit is enough: %r" % (edit[:3],))
                _repro_run(small, sub, args)
                return
        print("no single edit reproduces %s" % worst[0])


def _repro_run(case, directory, args, quiet=False):
    """Run case on the binaries in directory (left in place); answer the
    (class, cause) of the first failing binary, or None."""
    worst = None
    for name, path in binaries(args):
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        os.makedirs(directory)
        case.write(directory)
        r = runner.run([path] + list(vm_flags(args)) + case.args, directory,
                       case.stdin, args.timeout, int(args.as_limit_gb * GB))
        cls, cause = runner.classify(r)
        if cls in runner.FAILURES and worst is None:
            worst = (cls, cause)
        if not quiet:
            print("== %s: %s %s (exit %s, signal %s, %.2f s, max RSS %d MB)" %
                  (name, cls, cause, r.status, r.signal, r.seconds,
                   r.maxrss_kb // 1024))
            print("   stdout: %r" % r.stdout[-300:])
            print("   stderr: %r" % r.stderr[-300:])
            print("   by hand: %s" % case.shell_command(
                " ".join([path] + list(vm_flags(args))), directory))
    case.write(directory)
    return worst


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m tools.fuzz")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a campaign")
    common(r)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--families", default=",".join(
        "%s.%s" % (k, i) for i in IMAGES for k in KINDS))
    r.add_argument("--count", type=int, help="cases per family")
    r.add_argument("--minutes", type=float, help="time budget")
    r.add_argument("--start", type=int, default=0, help="first case number")
    r.add_argument("--weights", help="turns per kind, e.g. image-raw=5,st=1 "
                   "(default image-struct=5,image-raw=3,st=2,repl=1)")
    r.add_argument("--out", default="build/fuzz")
    r.add_argument("--jobs", type=int, default=1,
                   help="cases run at once (each case's runs stay in turn)")
    r.add_argument("--only-this", action="store_true",
                   help="report only this run's results")
    r.set_defaults(func=cmd_run)
    rp = sub.add_parser("repro", help="rerun one case by id")
    common(rp)
    rp.add_argument("id")
    rp.add_argument("--dir", help="where to write the case's files")
    rp.add_argument("--shrink", action="store_true",
                    help="image-struct: look for one edit that is enough")
    rp.set_defaults(func=cmd_repro)
    rep = sub.add_parser("report", help="report of result files")
    rep.add_argument("files", nargs="*")
    rep.add_argument("--out", default="build/fuzz")
    rep.set_defaults(func=cmd_report)
    t = sub.add_parser("triage", help="failing cases grouped by behaviour")
    t.add_argument("files", nargs="*")
    t.add_argument("--out", default="build/fuzz")
    t.add_argument("--examples", type=int, default=8)
    t.set_defaults(func=cmd_triage)
    s = sub.add_parser("show", help="describe one case")
    common(s)
    s.add_argument("id")
    s.set_defaults(func=cmd_show)
    sl = sub.add_parser("slice", help="the short deterministic CI slice")
    common(sl)
    sl.add_argument("--out", default="build/fuzz")
    sl.set_defaults(func=cmd_slice, timeout=SLICE_TIMEOUT)
    args = p.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
