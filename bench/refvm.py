#!/usr/bin/env python3
"""Run a *reference* SmallWorld VM (tonyg's Racket or C++ VMs) like spy.

Usage:
  refvm.py racket RKT_SCRIPT IMAGE FILE...   # run-/jit-/pe-SmallWorld-2015.rkt
  refvm.py cxx    BINARY     IMAGE [FILE...] # run.cc, compiled (files ignored)

The reference VMs load the image from the fixed relative path
SmallWorld/src/image, so this wrapper runs them in a temporary directory with
that path symlinked to IMAGE.  The Racket VMs are GUI programs: they are run
under xvfb-run, their Transcript (primitive 82, logged on the vm/gui logger as
`Update textarea "<whole text>"`) is decoded and only the new part of the
Transcript is printed on stdout, as spy does.  Text of other panes (error /
doesNotUnderstand windows) goes to stderr.  Without DISPLAY they run under
xvfb-run; the harness gives them its own Xvfb display instead.  A quit file (EVAL <117 nil>) is
filed in last, because the Racket VMs never exit on their own; an uncaught
Racket error (which kills the interpreter thread and leaves the GUI waiting)
makes the wrapper stop the VM and exit with status 3.

This is a test/comparison helper only; it never modifies the image.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

UPDATE_RE = re.compile(r'^vm/gui: Update textarea (".*")\s*$')
WELCOME = "Welcome to SmallWorld"


def decode_racket_string(lit):
    """Decode a Racket `write`-style string literal ("..." with escapes)."""
    assert lit[0] == '"' and lit[-1] == '"'
    s = lit[1:-1]
    out = []
    i = 0
    simple = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\',
              'a': '\a', 'b': '\b', 'v': '\v', 'f': '\f', 'e': '\x1b',
              "'": "'"}
    while i < len(s):
        c = s[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(s):
            break
        c = s[i]
        if c in simple:
            out.append(simple[c])
            i += 1
        elif c in 'uU':
            j = i + 1
            maxlen = 4 if c == 'u' else 8
            while j < len(s) and j - i - 1 < maxlen and s[j] in '0123456789abcdefABCDEF':
                j += 1
            out.append(chr(int(s[i + 1:j], 16)) if j > i + 1 else c)
            i = j
        elif c == 'x':
            j = i + 1
            while j < len(s) and j - i - 1 < 2 and s[j] in '0123456789abcdefABCDEF':
                j += 1
            out.append(chr(int(s[i + 1:j], 16)) if j > i + 1 else c)
            i = j
        elif c in '01234567':
            j = i
            while j < len(s) and j - i < 3 and s[j] in '01234567':
                j += 1
            out.append(chr(int(s[i:j], 8)))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


class TranscriptDecoder:
    """Turns the Racket VM's log lines into (stdout text, stderr text,
    crashed): the Transcript pane is logged whole at every update, so only
    its new part is printed; other panes (error windows) go to stderr."""

    def __init__(self):
        self.transcript = None

    def feed(self, line):
        m = UPDATE_RE.match(line)
        if m:
            text = decode_racket_string(m.group(1))
            if self.transcript is not None and text.startswith(self.transcript):
                new = text[len(self.transcript):]
                self.transcript = text
                return new, '', False
            if text.startswith(WELCOME) or self.transcript is None:
                self.transcript = text
                return text, '', False
            return '', '[pane] ' + text + '\n', False
        if line.startswith('vm/gui:'):
            return '', '', False
        return '', line + '\n', line.strip() == 'context...:'


def cxx_transcript(out):
    """run.cc prints the whole Transcript at every update: the last one,
    without the GUI trace lines."""
    texts = out.split('prim_updateTextArea: ')
    last = texts[-1] if len(texts) > 1 else ''
    return re.sub(r'\n0x[0-9a-f]+prim_\w+.*', '', last)


def make_workdir(image):
    d = tempfile.mkdtemp(prefix='refvm-')
    os.makedirs(os.path.join(d, 'SmallWorld', 'src'))
    os.symlink(os.path.abspath(image), os.path.join(d, 'SmallWorld', 'src', 'image'))
    return d


def run_racket(script, image, files):
    work = make_workdir(image)
    quit_file = os.path.join(work, 'quit.st')
    with open(quit_file, 'w') as f:
        f.write('EVAL <117 nil>\n')
    files = [os.path.abspath(f) for f in files] + [quit_file]
    cmd = ['racket', os.path.abspath(script)] + files
    # Under the harness (DISPLAY set) racket stays in the harness's process
    # group, so a timeout there ends it too; xvfb-run gets a group of its own.
    own_group = not os.environ.get('DISPLAY')
    if own_group:
        if shutil.which('xvfb-run') is None:
            sys.stderr.write('refvm: no DISPLAY and no xvfb-run (apt-get install xvfb)\n')
            return 2
        cmd = ['xvfb-run', '-a'] + cmd
    env = dict(os.environ)
    env['PLTSTDERR'] = 'debug@vm/gui error'
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=own_group)

    def kill():
        try:
            if own_group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass
    status = [0]
    killer = [None]

    def kill_soon():
        t = threading.Timer(1.0, kill)
        t.daemon = True
        t.start()
        killer[0] = t

    decoder = TranscriptDecoder()
    try:
        for raw in proc.stdout:
            out, err, crashed = decoder.feed(raw.decode('utf-8', 'replace').rstrip('\n'))
            sys.stdout.write(out)
            sys.stdout.flush()
            sys.stderr.write(err)
            if crashed and killer[0] is None:
                status[0] = 3
                kill_soon()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            kill()
            proc.wait()
        kill()
        shutil.rmtree(work, ignore_errors=True)
    if status[0]:
        return status[0]
    return 0 if proc.returncode in (0, None) else proc.returncode


def run_cxx(binary, image, files):
    work = make_workdir(image)
    try:
        proc = subprocess.run([os.path.abspath(binary)], cwd=work,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        sys.stdout.write(cxx_transcript(proc.stdout.decode('utf-8', 'replace')))
        sys.stderr.write(proc.stderr.decode('utf-8', 'replace')[-2000:])
        return proc.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    # a SIGTERM (the harness's timeout) still removes the work directory
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(argv) < 4 or argv[1] not in ('racket', 'cxx'):
        sys.stderr.write(__doc__)
        return 2
    kind, prog, image, files = argv[1], argv[2], argv[3], argv[4:]
    if kind == 'racket':
        return run_racket(prog, image, files)
    return run_cxx(prog, image, files)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
