"""The command line: `spy [options] [IMAGE] [FILE.st ...] [-e EXPR]`."""

import os
import stat

from rpython.rlib import jit
from rpython.rlib.objectmodel import we_are_translated

from spyvm.objspace import ObjSpace, DEFAULT_SHORT_LOOP, MAX_SHORT_LOOP
from spyvm.interpreter import Interpreter, jitdriver
from spyvm import inlining
from spyvm.pic import (DEFAULT_PIC_SIZE, MAX_PIC_SIZE, DEFAULT_HOT_CLASSES,
                       MAX_HOT_CLASSES)
from spyvm.image_reader import load_image
from spyvm.session import Session
from spyvm.hostio import (read_image_file, write_stdout, write_stderr,
                          monotonic_ms)
from spyvm.errors import SpyError, Exit
from spyvm import (primitives, hoststack, stats, memory, profiler, watchdog,
                   jitevents)

USAGE = """Usage: spy [options] [IMAGE] [FILE.st ...]

Runs a SmallWorld image (format version 1): boots it with
`SmallWorld startUp`, files in each FILE.st in order, then evaluates the
-e expressions and prints their printString.  With no FILE and no -e it
reads expressions from standard input, one per line (a REPL).
IMAGE defaults to images/spy.image beside the executable.

Options:
  -e EXPR            evaluate EXPR after the file-ins, print its printString
  --jit PARAMS       RPython JIT parameters, e.g. threshold=500,trace_limit=8000
                     ('--jit help' lists them; 'off' disables the JIT)
  --pic-size N       receiver classes a send site records before it turns
                     megamorphic (default %d, at most %d; half as many
                     again while none of its callees is quick or a pure
                     leaf, three times as many while none runs without
                     a context at a megamorphic site)
  --hot-classes N    classes a megamorphic site keeps specialised: those
                     with at least 1/8 of the 128 sends it samples after
                     turning megamorphic (default %d, at most %d; 0: none)
  --no-pic           ablation: no inline caches; traces always specialise
                     on the receiver class
  --no-loop-keys     ablation: a loop's trace is keyed by its method and pc
                     only, so all callers of to:do: share one loop trace
  --no-frame-arrays  ablation: a context's temporaries and arguments Arrays
                     keep their slots as user Arrays do, so a store into
                     any Array makes a trace read them again
  --bounded-inlining research: traces stop inlining at half of trace_limit
                     and call compiled code instead (speed that depends far
                     less on history, but slower tree recursion)
  --recursion-aborts N
                     a trace that would inline its own method once more
                     past 3/4 of trace_limit, or in a recursion that
                     cannot end within it, is aborted and traced
                     again later, up to N times per method, so that
                     RPython does not stop inlining a tree recursion for
                     good (default %d, at most %d; 0: RPython's behaviour)
  --short-loop N     a loop that never took more than N backward branches
                     in one activation is unrolled where a trace inlines
                     its method, not called as compiled code (default %d,
                     at most %d; 0: RPython's behaviour)
  --unroll-cap PERCENT
                     short loops are unrolled while the trace is shorter
                     than PERCENT of trace_limit (default %d)
  --unroll-small OPS past that cap, a short loop whose last iteration added
                     at most OPS operations to the trace is still unrolled,
                     up to 3/4 of trace_limit (default %d, at most %d;
                     0: never)
  --max-memory SIZE  memory ceiling, e.g. 512M or 4G (default: the smaller of
                     2G and half of the RAM); past it a program gets
                     'Error: out of memory' or the run ends with exit 1
  --max-time SECONDS end the run with an error, a backtrace and exit 1 once
                     it has taken SECONDS of wall-clock time (default: none)
  --stats            print the send-site census, JIT counters and JIT time
                     at exit
  --stats-json FILE  write the same as JSON to FILE
  --jit-events       write a line 'JIT-EVENT compile loop|bridge OPS MS' or
                     'JIT-EVENT abort REASON MS' to stdout whenever the JIT
                     compiles or gives up a trace (MS: the JIT's time so
                     far), in order with the Transcript's output
  --profile FILE     sample the running methods into FILE (vmprof format;
                     read it with tools/profile_report.py)
  -h, --help         show this help

Exit status: 0 on success, 1 if an evaluation ended in an error, 2 for
bad usage or an unreadable image.
""" % (DEFAULT_PIC_SIZE, MAX_PIC_SIZE, DEFAULT_HOT_CLASSES, MAX_HOT_CLASSES,
       inlining.DEFAULT_RECURSION_ABORTS, inlining.MAX_RECURSION_ABORTS,
       DEFAULT_SHORT_LOOP, MAX_SHORT_LOOP, inlining.DEFAULT_UNROLL_SHARE,
       inlining.DEFAULT_UNROLL_SMALL, inlining.MAX_UNROLL_SMALL)

DEFAULT_IMAGE = "images/spy.image"
MIN_MEMORY = 32 * memory.MB
# targetsmalltalk.py translates with RPython's big trace encoding (32-bit
# numbers; the default one has 16 bits and fails inside the optimizer past
# 16384 operations).  Limits up to 32,000 were measured (docs/experiments.md,
# "Longer traces"); this bound is a guess at where tracing time and memory
# stop being worth it, not a limit of the encoding
MAX_TRACE_LIMIT = 64000
# JIT parameters take machine integers; longer numbers would overflow when
# RPython parses them, so they are refused first
MAX_PARAM_DIGITS = 10


# in recorded operations (9000 until 2026-12-07): longer traces inline
# more levels of a tree recursion (benchFib 2x sends/s; permute 1.49x,
# towers 1.31x, list 1.07x fewer instructions per iteration;
# docs/architecture.md, "Longer traces").  Short loops' unrolling does not
# grow with it (inlining.DEFAULT_UNROLL_SHARE)
DEFAULT_TRACE_LIMIT = 24000
# decay=0 since 2026-12-08 (RPython's 40 before): with decay, how far a
# counter has got depends on how much was allocated before, and which
# bridges of benchFib compiled was a draw of history, 6.1-9.4 instructions
# per send against 7.47-8.42 without (bench/tinycount.py).  The suite, in
# one timed run and by count, ties as a whole; queens counts 18 % more
# instructions (docs/architecture.md, "JIT counters")
JIT_DEFAULTS = ("threshold=1000,function_threshold=1500,trace_limit=%d,"
                "max_unroll_recursion=15,decay=0" % DEFAULT_TRACE_LIMIT)


def _jit_parameter_help():
    lines = ["RPython JIT parameters for --jit (name=value,...; 'off' "
             "disables the JIT):"]
    for name in sorted(jit.PARAMETER_DOCS.keys()):
        lines.append("  %-26s %s (default %s)"
                     % (name, jit.PARAMETER_DOCS[name],
                        jit.PARAMETERS.get(name, '')))
    lines.append("spy's defaults: " + JIT_DEFAULTS)
    lines.append("trace_limit can be at most %d; values are integers of at "
                 "most %d digits" % (MAX_TRACE_LIMIT, MAX_PARAM_DIGITS - 1))
    lines.append("enable_opts is accepted only as 'all': spy's traces need "
                 "every optimisation, and subsets crash RPython's backend")
    return "\n".join(lines) + "\n"

JIT_PARAMETER_HELP = _jit_parameter_help()


class Options(object):
    _attrs_ = ['image', 'files', 'exprs', 'jit_params', 'pic_size',
               'no_pic', 'no_loop_keys', 'no_frame_arrays',
               'bounded_inlining', 'stats',
               'stats_json', 'profile', 'help', 'max_memory', 'max_time',
               'short_loop', 'hot_classes', 'recursion_aborts',
               'jit_events', 'unroll_share', 'unroll_small']

    def __init__(self):
        self.image = ""
        self.files = []
        self.exprs = []
        self.jit_params = ""
        self.pic_size = DEFAULT_PIC_SIZE
        self.no_pic = False
        self.no_loop_keys = False
        self.no_frame_arrays = False
        self.bounded_inlining = False
        self.stats = False
        self.stats_json = ""
        self.profile = ""
        self.help = False
        self.max_memory = 0         # 0: memory.default_ceiling()
        self.max_time = 0           # 0: no time limit
        self.short_loop = DEFAULT_SHORT_LOOP
        self.hot_classes = DEFAULT_HOT_CLASSES
        self.recursion_aborts = inlining.DEFAULT_RECURSION_ABORTS
        self.jit_events = False
        self.unroll_share = inlining.DEFAULT_UNROLL_SHARE
        self.unroll_small = inlining.DEFAULT_UNROLL_SMALL


class UsageError(SpyError):
    pass


def parse_args(argv):
    opts = Options()
    positional = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-h" or arg == "--help":
            opts.help = True
        elif arg in ("-e", "--jit", "--pic-size", "--stats-json",
                     "--max-memory", "--max-time", "--profile",
                     "--short-loop", "--hot-classes", "--recursion-aborts",
                     "--unroll-cap", "--unroll-small"):
            if i >= len(argv):
                raise UsageError("%s needs an argument" % arg)
            value = argv[i]
            i += 1
            if arg == "-e":
                opts.exprs.append(value)
            elif arg == "--jit":
                opts.jit_params = value
            elif arg == "--stats-json":
                opts.stats_json = value
            elif arg == "--max-memory":
                opts.max_memory = memory.parse_size(value)
                if opts.max_memory < MIN_MEMORY:
                    raise UsageError("--max-memory needs a size of at least "
                                     "32M, like 512M or 4G, not '%s'" % value)
            elif arg == "--max-time":
                opts.max_time = watchdog.parse_seconds(value)
                if opts.max_time < 0:
                    raise UsageError("--max-time needs whole seconds between "
                                     "1 and %d, not '%s'"
                                     % (watchdog.MAX_SECONDS, value))
            elif arg == "--profile":
                opts.profile = value
            elif arg == "--short-loop":
                opts.short_loop = parse_count(arg, value, MAX_SHORT_LOOP)
            elif arg == "--unroll-cap":
                opts.unroll_share = parse_count(arg, value, 100)
            elif arg == "--unroll-small":
                opts.unroll_small = parse_count(
                    arg, value, inlining.MAX_UNROLL_SMALL)
            elif arg == "--hot-classes":
                opts.hot_classes = parse_count(arg, value, MAX_HOT_CLASSES)
            elif arg == "--recursion-aborts":
                opts.recursion_aborts = parse_count(
                    arg, value, inlining.MAX_RECURSION_ABORTS)
            else:
                try:
                    opts.pic_size = int(value)
                except ValueError:
                    raise UsageError("--pic-size needs a number, not '%s'"
                                     % value)
                if opts.pic_size < 1 or opts.pic_size > MAX_PIC_SIZE:
                    raise UsageError("--pic-size must be between 1 and %d"
                                     % MAX_PIC_SIZE)
        elif arg == "--no-pic":
            opts.no_pic = True
        elif arg == "--no-loop-keys":
            opts.no_loop_keys = True
        elif arg == "--no-frame-arrays":
            opts.no_frame_arrays = True
        elif arg == "--bounded-inlining":
            opts.bounded_inlining = True
        elif arg == "--stats":
            opts.stats = True
        elif arg == "--jit-events":
            opts.jit_events = True
        elif arg.startswith("-") and len(arg) > 1:
            raise UsageError("unknown option '%s' (try --help)" % arg)
        else:
            positional.append(arg)
    if positional and not positional[0].endswith(".st"):
        opts.image = positional[0]
        opts.files = positional[1:]
    else:
        opts.files = positional
    return opts


def parse_count(option, value, maximum):
    """The number an option takes, between 0 and maximum."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0 or n > maximum:
        raise UsageError("%s needs a number between 0 and %d, not '%s'"
                         % (option, maximum, value))
    return n


def default_image(argv0):
    env = os.environ.get("SPY_IMAGE")
    if env:
        return env
    index = argv0.rfind("/")
    if index < 0:
        return DEFAULT_IMAGE
    return argv0[:index + 1] + DEFAULT_IMAGE


def is_readable_file(path):
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode)


def trace_limit_of(params):
    """The trace_limit a --jit string asks for, or 0 (a number too long to
    parse counts as above any limit)."""
    for item in params.split(","):
        parts = item.split("=")
        if len(parts) == 2 and parts[0].strip() == "trace_limit":
            text = parts[1].strip()
            if text.isdigit():
                if len(text) >= MAX_PARAM_DIGITS:
                    return MAX_TRACE_LIMIT + 1
                return int(text)
    return 0


def set_jit_params(params):
    """Hand a checked --jit string (or spy's defaults) to RPython.
    trace_limit is set on its own: set_user_param refuses values above
    2**14 whatever the trace encoding."""
    limit = trace_limit_of(params)
    rest = [item for item in params.split(",")
            if item.split("=")[0].strip() != "trace_limit"]
    if rest:
        jit.set_user_param(jitdriver, ",".join(rest))
    if limit > 0:
        jit.set_param(jitdriver, "trace_limit", limit)
        inlining.set_trace_limit(limit)


def check_jit_params(params):
    """An error message for a --jit string spy cannot run with, or "".

    enable_opts is accepted only as `all`: the traces of this interpreter
    need every optimisation (virtualizables, unrolling, heap caching), and
    subsets crash inside RPython's backend instead of failing cleanly.
    """
    if params == "off" or params == "default":
        return ""
    for item in params.split(","):
        parts = item.split("=")
        if len(parts) != 2:
            return "bad --jit parameter '%s' (want name=value; try --jit " \
                   "help)" % item
        name = parts[0].strip()
        value = parts[1].strip()
        if name == "enable_opts":
            if value != "all":
                return "enable_opts=%s is not supported: spy's traces " \
                       "need every optimisation (only enable_opts=all)" % value
            continue
        digits = value
        if digits.startswith("-"):
            digits = digits[1:]
        if not digits.isdigit() or len(digits) >= MAX_PARAM_DIGITS:
            return "--jit %s needs an integer of at most %d digits, not " \
                   "'%s'" % (name, MAX_PARAM_DIGITS - 1, value)
    if trace_limit_of(params) > MAX_TRACE_LIMIT:
        return "trace_limit above %d is not supported (spy's bound on " \
               "the length of a trace)" % MAX_TRACE_LIMIT
    return ""


def main(argv):
    try:
        opts = parse_args(argv)
    except UsageError as e:
        write_stderr("spy: %s\n" % e.msg)
        return 2
    if opts.help:
        write_stdout(USAGE)
        return 0
    inlining.set_recursion_aborts(opts.recursion_aborts)
    inlining.set_unrolling(opts.unroll_share, opts.unroll_small,
                           DEFAULT_TRACE_LIMIT)
    jitevents.enable_events(opts.jit_events)
    if opts.bounded_inlining:
        inlining.enable()
        jit.set_param(jitdriver, "max_unroll_recursion",
                      inlining.MAX_UNROLL_RECURSION)
    if opts.jit_params:
        if opts.jit_params == "help":
            write_stdout(JIT_PARAMETER_HELP)
            return 0
        problem = check_jit_params(opts.jit_params)
        if problem:
            write_stderr("spy: %s\n" % problem)
            return 2
        try:
            set_jit_params(opts.jit_params)
        except ValueError:
            write_stderr("spy: bad --jit parameters '%s' (try "
                                    "--jit help)\n" % opts.jit_params)
            return 2
    for path in opts.files:
        if not is_readable_file(path):
            write_stderr("spy: cannot read file '%s'\n" % path)
            return 2
    image = opts.image or default_image(argv[0])
    space = ObjSpace()
    space.config.pic_size = opts.pic_size
    space.config.pic_enabled = not opts.no_pic
    space.config.loop_keys = not opts.no_loop_keys
    space.config.frame_arrays = not opts.no_frame_arrays
    space.config.short_loop = opts.short_loop
    space.config.hot_classes = opts.hot_classes
    space.config.stats_enabled = opts.stats or opts.stats_json != ""
    space.config.profiling = opts.profile != ""
    max_memory = opts.max_memory
    if max_memory == 0:
        max_memory = memory.default_ceiling()
    space.memory.max_bytes = max_memory
    memory.apply_ceiling(space.memory)
    try:
        data = read_image_file(image)
        load_image(space, data)
    except SpyError as e:
        write_stderr("spy: %s\n" % e.msg)
        if not opts.image:
            write_stderr("spy: no default image; build it with "
                                    "`make image` or name an image file\n")
        return 2
    space.image_path = image
    interp = Interpreter(space)
    session = Session(interp)
    status = 0
    if opts.profile:
        error = profiler.start(opts.profile)
        if error:
            write_stderr("spy: %s\n" % error)
            return 2
    space.watchdog.start(opts.max_time, max_memory)
    try:
        status = session.run(opts.files, opts.exprs)
    except Exit as e:
        status = e.status
    except SpyError as e:
        write_stderr("spy: %s\n" % e.msg)
        status = 2
    except MemoryError:
        # the GC's heap reached the ceiling: the GC would abort at the next
        # attempt, so the run ends here
        write_stderr("spy: out of memory (the limit is %d MB; "
                                "--max-memory)\n" % (max_memory // memory.MB))
        profiler.stop()
        return 1
    profiler.stop()
    if space.config.stats_enabled:
        report = stats.Census(space)
        if opts.stats:
            write_stderr(report.as_text())
        if opts.stats_json:
            if not report.write_json(opts.stats_json):
                write_stderr("spy: cannot write '%s'\n"
                                        % opts.stats_json)
    return status


def entry_point(argv):
    primitives.STATE.start_ms = monotonic_ms()
    if we_are_translated():
        hoststack.ensure_big_stack(argv)
    set_jit_params(JIT_DEFAULTS)
    try:
        return main(argv)
    except Exception:
        write_stderr("spy: internal error (please report it)\n")
        return 3
