"""--stats: the send-site census and the JIT's counters, as text or JSON."""

import os
import weakref

from rpython.rlib.jit import Counters

from spyvm.jitevents import jit_counter, jit_ms

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


class SiteRegistry(object):
    """Every live SendSite, for the census.  Weak: the sites (and code) of
    finished doIts stay collectable, so a long REPL session does not grow.
    Dead references are dropped whenever the list doubles."""
    _attrs_ = ['refs', 'compact_at']

    def __init__(self):
        self.refs = []
        self.compact_at = 64

    def add(self, site):
        if len(self.refs) >= self.compact_at:
            self.refs = [ref for ref in self.refs if ref() is not None]
            self.compact_at = max(64, 2 * len(self.refs))
        self.refs.append(weakref.ref(site))

    def live_sites(self):
        sites = []
        for ref in self.refs:
            site = ref()
            if site is not None:
                sites.append(site)
        return sites


class Census(object):
    _attrs_ = ['space', 'sites', 'site_counts', 'send_counts', 'top',
               'megamorphic', 'jit_values', 'jit_ms']

    def __init__(self, space):
        self.space = space
        self.site_counts = [0] * len(STATES)
        self.send_counts = [0] * len(STATES)
        self.top = []
        # every site that turned megamorphic: each one invalidated the
        # traces through it and now costs a residual call per send
        self.megamorphic = []
        for site in space.sites.live_sites():
            state = STATES.index(site.state_name())
            sends = site.total_sends()
            self.site_counts[state] += 1
            self.send_counts[state] += sends
            if sends > 0:
                insert_top(self.top, site, sends)
            if site.megamorphic:
                insert_top(self.megamorphic, site, sends)
        # 0 untranslated, and before the JIT's first trace
        self.jit_values = [jit_counter(counter) for _, counter in JIT_COUNTERS]
        self.jit_ms = jit_ms()

    def as_text(self):
        lines = ["send-site census (pic size %d%s):"
                 % (self.space.config.pic_size,
                    "" if self.space.config.pic_enabled else ", PICs off")]
        total_sites = 0
        total_sends = 0
        for i in range(len(STATES)):
            if i < 3:
                total_sites += self.site_counts[i]
            total_sends += self.send_counts[i]
        for i in range(3):
            lines.append("  %s %s sites (%s)  %s sends (%s)"
                         % (ljust(STATES[i], 12),
                            rjust(str(self.site_counts[i]), 7),
                            rjust(percent(self.site_counts[i], total_sites), 4),
                            rjust(str(self.send_counts[i]), 12),
                            rjust(percent(self.send_counts[i], total_sends), 4)))
        lines.append("  %s %s sites" % (ljust("never run", 12),
                                         rjust(str(self.site_counts[3]), 7)))
        lines.append("top send sites:")
        for site in self.top:
            lines.append("  %s  %s %s %s (%d classes)"
                         % (rjust(str(site.total_sends()), 12),
                            ljust(site.state_name(), 11),
                            site.location, site.selector,
                            len(site.classes_w)))
        if self.megamorphic:
            lines.append("megamorphic sites:")
            for site in self.megamorphic:
                line = "  %s  %s %s" % (rjust(str(site.total_sends()), 12),
                                        site.location, site.selector)
                if site.hot_w:
                    line += " (hot: %s)" % ", ".join(self.hot_names(site))
                lines.append(line)
        scratch = self.space.leaf_scratch
        lines.append("pure methods (run without a context):")
        lines.append("  %s %d (%d at a send the method cache missed)"
                     % (ljust("gave up", 18), scratch.give_ups,
                        scratch.misses))
        lines.append("  %s %d (at megamorphic sites: it gave up too often)"
                     % (ljust("not tried", 18), scratch.refusals))
        lines.append("jit:")
        for i in range(len(JIT_COUNTERS)):
            lines.append("  %s %d" % (ljust(JIT_COUNTERS[i][0], 18),
                                      self.jit_values[i]))
        lines.append("  %s %d" % (ljust("lookup_flushes", 18),
                                  self.space.pic_epoch))
        lines.append("  %s %d (tracing and machine code)"
                     % (ljust("time_ms", 18), int(self.jit_ms)))
        lines.append("watchdog:")
        lines.append("  %s %d" % (ljust("ticks", 18),
                                  self.space.watchdog.ticks))
        return "\n".join(lines) + "\n"

    def hot_names(self, site):
        return [self.space.class_name(w_class) for w_class in site.hot_w]

    def as_json(self):
        parts = ['{"pic_size": %d, "pic_enabled": %s, "hot_classes": %d, '
                 '"sites": {'
                 % (self.space.config.pic_size,
                    "true" if self.space.config.pic_enabled else "false",
                    self.space.config.hot_classes)]
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
        parts.append('], "megamorphic_sites": [')
        for i in range(len(self.megamorphic)):
            site = self.megamorphic[i]
            hot = [json_string(name) for name in self.hot_names(site)]
            parts.append('%s{"location": %s, "selector": %s, "sends": %d, '
                         '"hot_classes": [%s]}'
                         % ("" if i == 0 else ", ", json_string(site.location),
                            json_string(site.selector), site.total_sends(),
                            ", ".join(hot)))
        scratch = self.space.leaf_scratch
        parts.append('], "pure_methods": {"gave_up": %d, '
                     '"cache_misses": %d, "not_tried": %d'
                     % (scratch.give_ups, scratch.misses, scratch.refusals))
        parts.append('}, "jit": {')
        for i in range(len(JIT_COUNTERS)):
            parts.append('"%s": %d, ' % (JIT_COUNTERS[i][0],
                                         self.jit_values[i]))
        parts.append('"lookup_flushes": %d, "time_ms": %d}}\n'
                     % (self.space.pic_epoch, int(self.jit_ms)))
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


def insert_top(top, site, sends):
    """Keep `top` as the TOP_SITES busiest sites, busiest first."""
    i = len(top)
    while i > 0 and top[i - 1].total_sends() < sends:
        i -= 1
    if i < TOP_SITES:
        assert i >= 0
        top.insert(i, site)
        if len(top) > TOP_SITES:
            top.pop()


def ljust(s, width):
    if len(s) >= width:
        return s
    return s + " " * (width - len(s))


def rjust(s, width):
    if len(s) >= width:
        return s
    return " " * (width - len(s)) + s


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
            out.append('\\u00' + "0123456789abcdef"[ord(c) >> 4] +
                       "0123456789abcdef"[ord(c) & 15])
        else:
            out.append(c)
    out.append('"')
    return "".join(out)
