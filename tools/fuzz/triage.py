"""Failing cases grouped by what each binary did, for writing findings:
`python3 -m tools.fuzz triage [FILES]`."""

import collections

from tools.fuzz.runner import FAILURES


def signature(rec):
    """(binary, class, cause) for every binary, as one hashable key."""
    return tuple(sorted((name, r["class"], r["cause"])
                        for name, r in rec["results"].items()))


def failing(rec):
    return rec["mismatch"] or any(r["class"] in FAILURES
                                  for r in rec["results"].values())


def triage_text(records, examples=8):
    groups = collections.OrderedDict()
    for rec in records:
        if failing(rec):
            key = (rec["mismatch"],) + signature(rec)
            groups.setdefault(key, []).append(rec)
    lines = []
    for key, recs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        mismatch, sig = key[0], key[1:]
        lines.append("== %d case(s)%s" % (
            len(recs), " mismatch " + mismatch if mismatch else ""))
        for name, cls, cause in sig:
            lines.append("   %s: %s %s" % (name, cls, cause))
        for rec in recs[:examples]:
            rss = "/".join("%dMB %.1fs" % (r["run"]["maxrss_kb"] >> 10,
                                            r["run"]["seconds"])
                           for _, r in sorted(rec["results"].items()))
            lines.append("   - %s [%s] %s" % (rec["id"], rss,
                                              rec["note"][:160]))
    return "\n".join(lines) + "\n"
