#!/usr/bin/env python3
"""A stand-in for ./spy when testing the harness: its behaviour is chosen
by the -e expression (or the first stdin line), and FAKE_VARIANT changes
its output so that two copies disagree."""

import os
import signal
import sys
import time


def main(argv):
    max_time = 0
    if len(argv) > 2 and argv[1] == "--max-time":
        max_time = int(argv[2])
        argv = argv[:1] + argv[3:]
    expr = ""
    if "-e" in argv:
        expr = argv[argv.index("-e") + 1]
    else:
        expr = sys.stdin.readline().strip()
    image = argv[1] if len(argv) > 1 else ""
    if image.endswith(".image"):
        with open(image, "rb") as f:
            if f.read(4) != b"\x00\x00\x00\x01":
                sys.stderr.write("spy: not a SmallWorld image: version word\n")
                return 2
    if expr == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if expr == "hang":
        time.sleep(60)
    if expr == "loop":         # a program that never ends
        if not max_time:
            time.sleep(60)
        time.sleep(max_time)
        sys.stderr.write("Error: time limit of %d s reached (--max-time): "
                         "the run ends here\nloop[Undefined,]\n" % max_time)
        return 1
    if expr == "internal":
        sys.stderr.write("spy: internal error (please report it)\n")
        return 3
    if expr == "error":
        sys.stderr.write("nil does not understand \"foo\"\n")
        return 1
    if expr == "silent":
        return 1
    if expr == "memory":
        block = bytearray(200 * 1024 * 1024)
        for i in range(0, len(block), 4096):
            block[i] = 1
    sys.stdout.write("7%s\n" % os.environ.get("FAKE_VARIANT", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
