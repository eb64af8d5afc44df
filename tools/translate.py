"""Run an RPython translation quietly: the full log goes to a file, the user
sees one line per phase with the elapsed time, and the log's path (with its
last lines) if the translation fails.

Translations run one at a time even under `make -j`: RPython deletes and
refills its shared `rpython/_cache` directory when it starts, so a second
translation starting beside a running one breaks it.

Usage: translate.py LOGFILE OUTPUT -- python -m rpython ... target.py
"""

import fcntl
import os
import subprocess
import sys
import time

PHASES = {
    "annotate": "annotating (type inference)",
    "rtype_lltype": "specialising types",
    "pyjitpl_lltype": "generating the JIT",
    "backendopt_lltype": "optimising",
    "stackcheckinsertion_lltype": "inserting stack checks",
    "database_c": "collecting the C database",
    "source_c": "writing C sources",
    "compile_c": "compiling C",
}


def main(argv):
    log_path, output = argv[1], argv[2]
    command = argv[argv.index("--") + 1:]
    lock = open(os.path.join(os.path.dirname(log_path) or ".", ".translate.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (IOError, OSError):
        print("%s: waiting for the other translation to finish" % output, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    start = time.time()
    def say(text):
        sys.stdout.write("[%5ds] %s\n" % (time.time() - start, text))
        sys.stdout.flush()
    say("translating %s (full log: %s)" % (output, log_path))
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            log.write(line)
            if "starting " in line:
                phase = line.rsplit("starting ", 1)[1].strip()
                if phase in PHASES:
                    say(PHASES[phase])
        status = proc.wait()
    if status != 0:
        say("translation FAILED (exit %d); log: %s" % (status, log_path))
        with open(log_path) as log:
            tail = log.readlines()[-15:]
        sys.stdout.write("".join("    " + l for l in tail))
        return 1
    say("done: ./%s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
