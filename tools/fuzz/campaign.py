"""Run cases on every binary, classify, compare, append JSON lines.

One case at a time (the machine is shared); families take turns by
weight, each with its own case counter, until the counts or the time
budget run out.  Every result line carries the case id, so the report and
`repro` need nothing else.
"""

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

from tools.fuzz import runner
from tools.fuzz.cases import make_case

WEIGHTS = {"image-struct": 5, "image-raw": 3, "st": 2, "repl": 1}


def compare(results):
    """'stdout' or 'status' when two binaries that both completed
    disagree, else None."""
    done = [r for r in results.values() if runner.completed(r["class"])]
    if len(done) < 2 or len(done) < len(results):
        return None
    first = done[0]["run"]
    for other in done[1:]:
        if other["run"]["stdout_sha"] != first["stdout_sha"]:
            return "stdout"
    for other in done[1:]:
        if other["run"]["status"] != first["status"]:
            return "status"
    return None


def run_case(case, binaries, scratch, timeout, as_limit, vm_flags=()):
    """Answer the result record of one case on all binaries."""
    results = {}
    for name, path in binaries:
        for entry in os.listdir(scratch):
            full = os.path.join(scratch, entry)
            if os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)
            else:
                os.unlink(full)
        case.write(scratch)     # fresh copy per binary: a run may save
        r = runner.run([path] + list(vm_flags) + case.args, scratch,
                       case.stdin, timeout, as_limit)
        cls, cause = runner.classify(r)
        results[name] = {"class": cls, "cause": cause, "run": r.as_dict()}
    return {"id": case.id, "family": case.id.split("/")[0], "note": case.note,
            "edits": len(case.edits) if case.edits is not None else None,
            "results": results, "mismatch": compare(results)}


def schedule(families, weights):
    """An endless round-robin of families, each repeated by its weight."""
    order = []
    for family in families:
        order.extend([family] * weights.get(family.split(".")[0], 1))
    while True:
        for family in order:
            yield family


def campaign(families, seed, bases, binaries, out_path, counts=None,
             minutes=None, start=0, timeout=runner.DEFAULT_TIMEOUT,
             as_limit=runner.DEFAULT_AS_LIMIT, big=True, log=sys.stderr,
             weights=WEIGHTS, vm_flags=(), jobs=1):
    """Run cases; answer the list of result records (also appended to
    out_path as JSON lines, in case order whatever `jobs` is)."""
    deadline = time.monotonic() + minutes * 60 if minutes else None
    ids = case_ids(families, seed, start, counts, weights)
    records = []
    _WORKER.update(bases=bases, binaries=binaries, timeout=timeout,
                   as_limit=as_limit, big=big, vm_flags=tuple(vm_flags),
                   deadline=deadline)
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 \
        else None
    try:
        results = pool.imap(_run_one, ids) if pool else map(_run_one, ids)
        with open(out_path, "a") as out:
            for record in results:
                if record is None:      # the time budget ran out
                    break
                out.write(json.dumps(record) + "\n")
                out.flush()
                records.append(record)
                _log_progress(log, record, len(records))
    finally:
        if pool:
            pool.terminate()
            pool.join()
    return records


def case_ids(families, seed, start, counts, weights):
    """The (family, seed, number) of every case, families taking turns by
    weight; endless when there are no counts."""
    next_number = dict((f, start) for f in families)
    limit = dict((f, start + counts[f]) for f in families) if counts else {}
    order = schedule(families, weights)
    while True:
        live = [f for f in families if not limit or next_number[f] < limit[f]]
        if not live:
            return
        family = next(order)
        if family not in live:
            continue
        number = next_number[family]
        next_number[family] += 1
        yield family, seed, number


# what every worker needs; a forked worker inherits it (the parsed images
# are large, so they are not sent with each case)
_WORKER = {}


def _run_one(case_id):
    w = _WORKER
    if w["deadline"] and time.monotonic() > w["deadline"]:
        return None
    family, seed, number = case_id
    case = make_case(family, seed, number, w["bases"], w["big"])
    scratch = tempfile.mkdtemp(prefix="spy-fuzz-")
    try:
        return run_case(case, w["binaries"], scratch, w["timeout"],
                        w["as_limit"], w["vm_flags"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _log_progress(log, record, n):
    bad = [(name, r["class"], r["cause"])
           for name, r in record["results"].items()
           if r["class"] in runner.FAILURES]
    if bad or record["mismatch"]:
        log.write("%s: %s%s  [%s]\n" % (
            record["id"], ", ".join("%s %s (%s)" % b for b in bad),
            " mismatch:" + record["mismatch"] if record["mismatch"] else "",
            record["note"][:100]))
    if n % 100 == 0:
        log.write("... %d cases\n" % n)
    log.flush()
