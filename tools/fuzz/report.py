"""The campaign's report: counts per class, binary and family, the worst
RSS, and the failing cases grouped by cause with a repro command."""

import collections
import json
import re
import time

from tools.fuzz.runner import CLASSES, FAILURES

REJECTED = re.compile(r"^spy: (image |record \d|not a SmallWorld|cannot "
                      r"(open|read) image)")
EXAMPLES = 5


def load(paths):
    records = []
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.strip():
                    records.append(json.loads(line))
    return records


def rejected(result):
    """The image reader refused the file (it never booted)."""
    return (result["run"]["status"] == 2 and
            bool(REJECTED.match(result["run"]["stderr"])))


def summarise(records):
    counts = collections.OrderedDict()      # (family, binary) -> Counter
    booted = collections.Counter()          # family -> booted cases
    all_ran = collections.Counter()         # family -> ran on every binary
    cases = collections.Counter()
    failures = collections.OrderedDict()    # (class, binary, cause) -> ids
    mismatches = collections.OrderedDict()  # (kind, family) -> ids
    worst = (0, None, None)
    for rec in records:
        family = rec["family"]
        cases[family] += 1
        results = rec["results"]
        if not all(rejected(r) for r in results.values()):
            booted[family] += 1
        if all(r["class"] == "ran" for r in results.values()):
            all_ran[family] += 1
        for binary, r in sorted(results.items()):
            counts.setdefault((family, binary), collections.Counter())[
                r["class"]] += 1
            rss = r["run"]["maxrss_kb"]
            if rss > worst[0]:
                worst = (rss, rec["id"], binary)
            if r["class"] in FAILURES:
                key = (r["class"], binary, r["cause"])
                failures.setdefault(key, []).append(rec)
        if rec["mismatch"]:
            key = (rec["mismatch"], family)
            mismatches.setdefault(key, []).append(rec)
    return counts, booted, all_ran, cases, failures, mismatches, worst


def repro_command(case_id, real_image_hint=True):
    extra = ""
    if ".real/" in case_id and real_image_hint:
        extra = " --real-image $SMALLWORLD_IMAGE"
    return "python3 -m tools.fuzz repro %s%s" % (case_id, extra)


def markdown(records, title="spy fuzz report"):
    counts, booted, all_ran, cases, failures, mismatches, worst = \
        summarise(records)
    lines = ["# %s" % title, "",
             "Generated %s UTC from %d cases (%d runs)." % (
                 time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                 len(records), sum(len(r["results"]) for r in records)), ""]
    lines += ["## Counts per class", "",
              "| family | binary | cases | " + " | ".join(CLASSES) +
              " | booted |",
              "|---|---|---|" + "---|" * len(CLASSES) + "---|"]
    totals = collections.Counter()
    for (family, binary), c in sorted(counts.items()):
        n = sum(c.values())
        lines.append("| %s | %s | %d | %s | %s |" % (
            family, binary, n, " | ".join(str(c[k]) for k in CLASSES),
            booted[family] if family.startswith("image") else "-"))
        for k in CLASSES:
            totals[(binary, k)] += c[k]
    binaries = sorted(set(b for (_, b) in counts))
    for binary in binaries:
        n = sum(totals[(binary, k)] for k in CLASSES)
        lines.append("| **all** | %s | %d | %s | |" % (
            binary, n, " | ".join(str(totals[(binary, k)]) for k in CLASSES)))
    image_cases = sum(v for f, v in cases.items() if f.startswith("image"))
    image_booted = sum(v for f, v in booted.items() if f.startswith("image"))
    other = sum(v for f, v in cases.items() if not f.startswith("image"))
    image_ran = sum(v for f, v in all_ran.items() if f.startswith("image"))
    lines += ["", "Image mutants: %d cases (%d runs); %d of them booted "
              "(passed the image reader on some binary), %d ran to exit 0 "
              "on every binary. Hostile .st/REPL inputs: %d cases (%d runs)."
              % (image_cases, image_cases * max(1, len(binaries)),
                 image_booted, image_ran, other,
                 other * max(1, len(binaries))), ""]
    if worst[1]:
        lines.append("Worst max RSS: %d MB (%s on %s)." % (
            worst[0] // 1024, worst[1], worst[2]))
    lines += ["", "## Failures (crash, hang, over memory)", ""]
    if not failures:
        lines.append("None.")
    for (cls, binary, cause), recs in sorted(failures.items(),
                                            key=lambda kv: -len(kv[1])):
        lines.append("- **%s** on %s: %s — %d case(s)" % (cls, binary,
                                                           cause, len(recs)))
        for rec in recs[:EXAMPLES]:
            lines.append("  - `%s` (%s): `%s`" % (
                rec["id"], rec["note"][:120].replace("`", "'"),
                repro_command(rec["id"])))
    lines += ["", "## Output mismatches between binaries", ""]
    if not mismatches:
        lines.append("None.")
    for (kind, family), recs in sorted(mismatches.items()):
        lines.append("- **%s** differs, %s — %d case(s)" % (kind, family,
                                                             len(recs)))
        for rec in recs[:EXAMPLES]:
            lines.append("  - `%s` (%s): `%s`" % (
                rec["id"], rec["note"][:120].replace("`", "'"),
                repro_command(rec["id"])))
    return "\n".join(lines) + "\n"
