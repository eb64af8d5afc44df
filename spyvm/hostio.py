"""Host I/O: the VM's one door to standard streams and files.

The monotonic clock; writing to stdout and stderr (Transcript, error windows, the command
line's messages), reading whole files (the image, /proc) and reading line
by line (primitive 44 and the REPL).

Lines are read in time linear in the input.  Slicing the rest of the
buffer off after every line, or rescanning a long line from its start
after every read, made a 10 MB file of empty lines (or one 10 MB line)
take minutes.  Here the buffer is consumed by position and a scan resumes
where it stopped.
"""

import os

from rpython.rtyper.lltypesystem import rffi
from rpython.translator.tool.cbuild import ExternalCompilationInfo

from spyvm.errors import ImageError

CHUNK = 65536       # bytes a LineBuffer reads at a time


# ------------------------------------------------------------------ output

def write_all(fd, text):
    """Write all of `text`; a write error raises OSError."""
    while text:
        text = text[os.write(fd, text):]


def write_fd(fd, text):
    """Write what can be written (errors on a closed stream are ignored)."""
    try:
        write_all(fd, text)
    except OSError:
        return


def write_stdout(text):
    write_fd(1, text)


def write_stderr(text):
    write_fd(2, text)


def stdin_is_terminal():
    return os.isatty(0)


# ------------------------------------------------------------- whole files

def open_fd(path, flags):
    """A file descriptor for `path` (created with mode 0644); raises
    OSError."""
    return os.open(path, flags, 0644)


def read_image_file(path):
    """Read a whole (image) file, turning OS errors into ImageError."""
    try:
        fd = os.open(path, os.O_RDONLY, 0)
    except OSError as e:
        raise ImageError("cannot open image '%s': %s"
                         % (path, os.strerror(e.errno)))
    try:
        chunks = []
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError as e:
                raise ImageError("cannot read image '%s': %s"
                                 % (path, os.strerror(e.errno)))
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return "".join(chunks)


def read_small_file(path):
    """A file's contents, or "" if it cannot be read (for /proc files)."""
    try:
        fd = os.open(path, os.O_RDONLY, 0)
    except OSError:
        return ""
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 8192)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        pass
    os.close(fd)
    return "".join(chunks)


# ------------------------------------------------------------------- lines

class LineBuffer(object):
    """Splits on \\n, \\r\\n and \\r (spec 7.16, as Java does)."""
    _attrs_ = ['fd', 'buffer', 'pos', 'scanned', 'eof']

    def __init__(self, fd):
        self.fd = fd
        self.buffer = ""
        self.pos = 0            # start of the next line in buffer
        self.scanned = 0        # buffer[pos:scanned] has no line end
        self.eof = False

    def next_line(self):
        """The next line without its terminator, or None at the end.
        A read error raises OSError."""
        while True:
            buf = self.buffer
            i = self.scanned
            while i < len(buf):
                c = buf[i]
                if c == '\n':
                    return self._take(i, i + 1)
                if c == '\r':
                    if i + 1 < len(buf):
                        if buf[i + 1] == '\n':
                            return self._take(i, i + 2)
                        return self._take(i, i + 1)
                    if self.eof:
                        return self._take(i, i + 1)
                    break       # one more byte tells whether \n follows
                i += 1
            self.scanned = i
            if self.eof:
                if self.pos < len(buf):
                    return self._take(len(buf), len(buf))
                return None
            self._fill()

    def _take(self, end, next_start):
        start = self.pos
        assert 0 <= start <= end
        line = self.buffer[start:end]
        self.pos = next_start
        self.scanned = next_start
        return line

    def _fill(self):
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.eof = True
            return
        # drop what was consumed; keep the current partial line
        start = self.pos
        assert start >= 0
        rest = self.buffer[start:]
        self.scanned -= start
        self.pos = 0
        self.buffer = rest + chunk


# ------------------------------------------------------------------- clock

# Our own C helper, not rtime.c_clock_gettime: the JIT's profiler calls that
# one with another clock id late in the translation, and a constant id here
# made the annotator refuse the JIT build
_clock_eci = ExternalCompilationInfo(
    post_include_bits=["RPY_EXTERN long spy_monotonic_ms(void);"],
    separate_module_sources=["""
#include <time.h>
RPY_EXTERN long spy_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
"""])
monotonic_ms = rffi.llexternal('spy_monotonic_ms', [], rffi.LONG,
                               compilation_info=_clock_eci,
                               releasegil=False)
