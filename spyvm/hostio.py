"""Host I/O: writing to stdout and stderr, reading whole files.

The VM's one door to the host's files and standard streams, so that no
module reaches into another just to print.
"""

import os


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
