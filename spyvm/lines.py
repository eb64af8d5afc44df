"""Lines from a file descriptor, in time linear in the input.

Primitive 44 (`File>>readLine`) and the REPL read line by line.  Slicing
the rest of the buffer off after every line, or rescanning a long line
from its start after every read, made a 10 MB file of empty lines (or one
10 MB line) take minutes.  Here the buffer is consumed by position and a
scan resumes where it stopped.
"""

import os

CHUNK = 65536


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
