"""--stats: the send-site census and the JIT's counters, as text or JSON."""

import os

from rpython.rlib import jit_hooks
from rpython.rlib.jit import Counters

STATES = ["monomorphic", "polymorphic", "megamorphic", "unused"]
TOP_SITES = 15
JIT_COUNTERS = [("loops", Counters.TOTAL_COMPILED_LOOPS),
                ("bridges", Counters.TOTAL_COMPILED_BRIDGES),
                ("freed_loops", Counters.TOTAL_FREED_LOOPS),
                ("freed_bridges", Counters.TOTAL_FREED_BRIDGES),
                ("traces_started", Counters.TRACING),
                ("aborts_too_long", Counters.ABORT_TOO_LONG),
                ("aborts_bridge", Counters.ABORT_BRIDGE),
                ("aborts_bad_loop", Counters.ABORT_BAD_LOOP),
                ("aborts_escape", Counters.ABORT_ESCAPE),
                ("aborts_quasiimmut", Counters.ABORT_FORCE_QUASIIMMUT)]


class Census(object):
    _attrs_ = ['space', 'sites', 'site_counts', 'send_counts', 'top',
               'jit_values']

    def __init__(self, space):
        self.space = space
        self.site_counts = [0] * len(STATES)
        self.send_counts = [0] * len(STATES)
        used = []
        for site in space.all_sites:
            state = STATES.index(site.state_name())
            sends = site.total_sends()
            self.site_counts[state] += 1
            self.send_counts[state] += sends
            if sends > 0:
                used.append(site)
        used.sort(key=_sort_key)
        self.top = used[:TOP_SITES]
        self.jit_values = [0] * len(JIT_COUNTERS)
        for i in range(len(JIT_COUNTERS)):
            self.jit_values[i] = jit_hooks.stats_get_counter_value(
                None, JIT_COUNTERS[i][1])

    def as_text(self):
        lines = ["send-site census (pic size %d%s):"
                 % (self.space.config.pic_size,
                    "" if self.space.config.pic_enabled else ", PICs off")]
        total_sites = sum(self.site_counts[:3])
        total_sends = sum(self.send_counts)
        for i in range(3):
            lines.append("  %-12s %7d sites (%5s)  %12d sends (%5s)"
                         % (STATES[i], self.site_counts[i],
                            percent(self.site_counts[i], total_sites),
                            self.send_counts[i],
                            percent(self.send_counts[i], total_sends)))
        lines.append("  %-12s %7d sites" % ("never run", self.site_counts[3]))
        lines.append("top send sites:")
        for site in self.top:
            lines.append("  %12d  %-11s %s %s (%d classes)"
                         % (site.total_sends(), site.state_name(),
                            site.location, site.selector,
                            len(site.classes_w)))
        lines.append("jit:")
        for i in range(len(JIT_COUNTERS)):
            lines.append("  %-18s %d" % (JIT_COUNTERS[i][0],
                                          self.jit_values[i]))
        lines.append("  %-18s %d" % ("invalidations",
                                      self.space.pic_epoch))
        return "\n".join(lines) + "\n"

    def as_json(self):
        parts = ['{"pic_size": %d, "pic_enabled": %s, "sites": {'
                 % (self.space.config.pic_size,
                    "true" if self.space.config.pic_enabled else "false")]
        for i in range(len(STATES)):
            parts.append('%s"%s": {"sites": %d, "sends": %d}'
                         % ("" if i == 0 else ", ", STATES[i],
                            self.site_counts[i], self.send_counts[i]))
        parts.append('}, "top_sites": [')
        for i in range(len(self.top)):
            site = self.top[i]
            parts.append('%s{"location": %s, "selector": %s, "state": "%s", '
                         '"sends": %d, "classes": %d}'
                         % ("" if i == 0 else ", ", json_string(site.location),
                            json_string(site.selector), site.state_name(),
                            site.total_sends(), len(site.classes_w)))
        parts.append('], "jit": {')
        for i in range(len(JIT_COUNTERS)):
            parts.append('"%s": %d, ' % (JIT_COUNTERS[i][0],
                                         self.jit_values[i]))
        parts.append('"invalidations": %d}}\n' % self.space.pic_epoch)
        return "".join(parts)

    def write_json(self, path):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0644)
        except OSError:
            return False
        try:
            data = self.as_json()
            while data:
                data = data[os.write(fd, data):]
        except OSError:
            os.close(fd)
            return False
        os.close(fd)
        return True


def _sort_key(site):
    return -site.total_sends()


def percent(part, whole):
    if whole == 0:
        return "-"
    return "%d%%" % (part * 100 // whole)


def json_string(s):
    out = ['"']
    for c in s:
        if c == '"' or c == '\\':
            out.append('\\' + c)
        elif ord(c) < 32 or ord(c) >= 127:
            out.append('\\u%04x' % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)
