"""Writer for image format version 1, in the object order of spec 1.9.

Breadth-first numbering from the seven roots and the integers 0-9 makes a
loaded-then-saved image byte-identical to the original.
"""

import os
import stat

from spyvm.model import W_SmallInt, W_BytesObject
from spyvm.errors import PrimitiveFailed

MIN_INT32 = -2147483648
MAX_INT32 = 2147483647


class ImageWriter(object):
    _attrs_ = ['space', 'order_w', 'index_of', 'int_index', 'nil_index']

    def __init__(self, space):
        self.space = space
        self.order_w = []       # objects in index order
        self.index_of = {}      # W_Object -> index (identity)
        self.int_index = {}     # int value -> index
        self.nil_index = 0

    def number(self, w_obj):
        """The record index of w_obj, numbering it on first sight."""
        if isinstance(w_obj, W_SmallInt):
            value = w_obj.value
            if value < MIN_INT32 or value > MAX_INT32:
                raise PrimitiveFailed("cannot save the integer %d: image "
                                      "files hold only 32-bit integers"
                                      % value)
            index = self.int_index.get(value, -1)
            if index < 0:
                index = len(self.order_w)
                self.int_index[value] = index
                self.order_w.append(w_obj)
            return index
        if w_obj is None or w_obj.is_host_object():
            return self.nil_index
        index = self.index_of.get(w_obj, -1)
        if index < 0:
            index = len(self.order_w)
            self.index_of[w_obj] = index
            self.order_w.append(w_obj)
        return index

    def serialize(self):
        space = self.space
        for w_root in [space.w_nil, space.w_true, space.w_false,
                       space.w_Array, space.w_Block, space.w_Context,
                       space.w_SmallInt]:
            self.number(w_root)
        for i in range(10):
            self.number(W_SmallInt(i))
        out = [word(1)]
        i = 0
        while i < len(self.order_w):
            w_obj = self.order_w[i]
            i += 1
            if isinstance(w_obj, W_SmallInt):
                out.append(word(5) + word(0) + word(self.number(space.w_SmallInt))
                           + word(0) + word(w_obj.value))
                continue
            class_index = self.number(w_obj.getclass(space))
            if isinstance(w_obj, W_BytesObject):
                data = w_obj.as_string()
                out.append(word(4 + len(data)) + word(1) + word(class_index)
                           + word(0) + data)
                continue
            size = w_obj.size()
            parts = [word(4 + size), word(2), word(class_index), word(size)]
            for j in range(size):
                parts.append(word(self.number(w_obj.fetch(space, j))))
            out.append("".join(parts))
        return "".join(out)


def word(value):
    if value < 0:
        value += 0x100000000
    return (chr((value >> 24) & 255) + chr((value >> 16) & 255) +
            chr((value >> 8) & 255) + chr(value & 255))


def serialize_image(space):
    return ImageWriter(space).serialize()


def save_image(space, path):
    """Serialise first, then write atomically: a temporary file beside the
    target, fsync, rename.  A failure never leaves a truncated image.
    A symlink is followed (the rename replaces its target, not the link);
    devices, fifos and directories are refused, not replaced."""
    path = save_target(path)
    data = serialize_image(space)
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0644)
    except OSError as e:
        raise PrimitiveFailed("cannot save image to '%s': %s"
                              % (path, os.strerror(e.errno)))
    try:
        try:
            pos = 0
            while pos < len(data):
                pos += os.write(fd, data[pos:])
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise PrimitiveFailed("cannot save image to '%s': %s"
                              % (path, os.strerror(e.errno)))


MAX_SYMLINKS = 40


def save_target(path):
    """The regular file (existing or not) that saving to `path` writes."""
    check_file_name(path)
    for i in range(MAX_SYMLINKS):
        try:
            st = os.lstat(path)
        except OSError:
            return path             # a new file
        if stat.S_ISLNK(st.st_mode):
            try:
                link = os.readlink(path)
            except OSError as e:
                raise PrimitiveFailed("cannot save image to '%s': %s"
                                      % (path, os.strerror(e.errno)))
            if not link.startswith("/"):
                slash = path.rfind("/")
                if slash >= 0:
                    link = path[:slash + 1] + link
            path = link
            continue
        if not stat.S_ISREG(st.st_mode):
            raise PrimitiveFailed("cannot save image to '%s': not a regular "
                                  "file" % path)
        return path
    raise PrimitiveFailed("cannot save image to '%s': too many symbolic "
                          "links" % path)


def check_file_name(path):
    """The OS would silently cut a name at its first NUL byte."""
    if "\x00" in path:
        shown = []
        for c in path:
            if c == "\x00":
                shown.append("\\0")
            else:
                shown.append(c)
        raise PrimitiveFailed("file name contains a NUL byte: '%s'"
                              % "".join(shown))
    if not path:
        raise PrimitiveFailed("empty file name")
