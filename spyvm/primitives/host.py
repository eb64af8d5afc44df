"""Host services: the clock, files, image saving, quitting, processes
and the headless GUI (spec 5.7)."""

import os
import time

from spyvm.model import W_BytesObject, W_HostObject, W_File
from spyvm.context import W_Block, block_context
from spyvm.errors import PrimitiveFailed, Exit
from spyvm.hostio import (write_stdout, write_stderr, write_all, open_fd,
                          monotonic_ms)
from spyvm.image_writer import save_image, check_file_name
from spyvm.primitives.table import (primitive, int_arg, class_arg,
                                    new_host_object, STATE)


# -------------------------------------------------------------------- time

@primitive(33, 1)
def sleep(interp, args_w):
    ms = int_arg(interp, args_w[0])
    if ms > 0:
        time.sleep(ms / 1000.0)
    return args_w[0]


@primitive(119, 0)
def milliseconds(interp, args_w):
    """Milliseconds since the VM started, on the monotonic clock (spec
    7.15: only differences are used, and wall-clock jumps must not show)."""
    return interp.space.wrap_int(monotonic_ms() - STATE.start_ms)


# ------------------------------------------------------------ files / image

@primitive(29, 1)
def export_image(interp, args_w):
    save_image(interp.space, interp.space.unwrap_string(args_w[0]))
    return args_w[0]


@primitive(116, 0)
def save_image_in_place(interp, args_w):
    path = interp.space.image_path
    if not path:
        raise PrimitiveFailed("no image file to save to")
    save_image(interp.space, path)
    return interp.space.w_true


@primitive(117, -1)
def quit(interp, args_w):
    """Exit status 1 if anything went wrong before (as at a normal end)."""
    if interp.error_count > 0:
        raise Exit(1)
    raise Exit(0)


def open_file(interp, args_w, flags, writable):
    w_class = class_arg(args_w[0])
    name = interp.space.unwrap_string(args_w[1])
    check_file_name(name)
    try:
        fd = open_fd(name, flags)
    except OSError as e:
        raise PrimitiveFailed("cannot open '%s': %s"
                              % (name, os.strerror(e.errno)))
    return W_File(w_class, fd, writable)


@primitive(41, 2)
def open_write(interp, args_w):
    return open_file(interp, args_w, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     True)


@primitive(42, 2)
def open_read(interp, args_w):
    return open_file(interp, args_w, os.O_RDONLY, False)


def file_arg(w_obj):
    if isinstance(w_obj, W_File) and w_obj.fd >= 0:
        return w_obj
    raise PrimitiveFailed("expected an open File")


@primitive(43, 2)
def file_write(interp, args_w):
    text = interp.space.unwrap_string(args_w[0])
    w_file = file_arg(args_w[1])
    if not w_file.writable:
        raise PrimitiveFailed("file is open for reading")
    try:
        write_all(w_file.fd, text)
    except OSError as e:
        raise PrimitiveFailed("write failed: %s" % os.strerror(e.errno))
    return args_w[1]


@primitive(44, 2)
def file_read_line(interp, args_w):
    w_class = class_arg(args_w[0])
    w_file = file_arg(args_w[1])
    if w_file.writable:
        raise PrimitiveFailed("file is open for writing")
    line = read_line(w_file)
    if line is None:
        return interp.space.w_nil
    return W_BytesObject(w_class, [c for c in line])


def read_line(w_file):
    """Next line without its terminator (\\n, \\r\\n or \\r), None at EOF."""
    try:
        return w_file.lines.next_line()
    except OSError as e:
        raise PrimitiveFailed("read failed: %s" % os.strerror(e.errno))


# ---------------------------------------------------------------- threads

@primitive(19, 1)
def fork(interp, args_w):
    """Headless: run the block to completion now (spec 5.7)."""
    w_block = args_w[0]
    if not isinstance(w_block, W_Block):
        raise PrimitiveFailed("fork needs a Block")
    interp.execute(block_context(w_block, interp.space.w_nil))
    return w_block


@primitive(100, 1)
def new_semaphore(interp, args_w):
    return new_host_object(interp, args_w[0])


@primitive(101, 1)
def semaphore_wait(interp, args_w):
    w_sema = args_w[0]
    if isinstance(w_sema, W_HostObject) and w_sema.w_value is not None:
        return w_sema.w_value
    return interp.space.w_nil      # nobody could ever signal it headless


@primitive(102, 2)
def semaphore_set(interp, args_w):
    w_sema = args_w[0]
    if isinstance(w_sema, W_HostObject):
        w_sema.w_value = args_w[1]
    return args_w[1]


# ------------------------------------------------ GUI, headless (spec 5.7)

def is_transcript_pane(interp, w_pane):
    w_transcript = interp.space.w_Transcript
    if w_transcript is None:
        return False
    return interp.space.safe_fetch(w_transcript, 5) is w_pane


@primitive(82, 2)
def pane_set_text(interp, args_w):
    """Transcript text goes to stdout (only the new suffix), text on other
    panes (error windows) to stderr."""
    w_pane = args_w[0]
    text = interp.space.unwrap_string(args_w[1])
    old = ""
    if isinstance(w_pane, W_HostObject):
        old = w_pane.text
        w_pane.text = text
    if is_transcript_pane(interp, w_pane):
        if old and text.startswith(old):
            write_stdout(text[len(old):])
        else:
            write_stdout(text)
    else:
        if text and not text.endswith("\n"):
            text += "\n"
        write_stderr(text)
    return args_w[1]


@primitive(89, 2)
def pane_print(interp, args_w):
    write_stdout(interp.space.unwrap_string(args_w[1]))
    return args_w[1]


@primitive(80, 2)
def pane_get_text(interp, args_w):
    w_class = class_arg(args_w[0])
    w_pane = args_w[1]
    text = ""
    if isinstance(w_pane, W_HostObject):
        text = w_pane.text
    return W_BytesObject(w_class, [c for c in text])


@primitive(81, 2)
def pane_get_selected_text(interp, args_w):
    class_arg(args_w[0])
    return W_BytesObject(args_w[0], [])


@primitive(83, 1)
def pane_get_index(interp, args_w):
    return interp.space.wrap_int(0)


def make_widget(number, argc):
    def widget(interp, args_w):
        return new_host_object(interp, args_w[0])
    widget.func_name = "widget_%d" % number
    primitive(number, argc)(widget)

for _number, _argc in [(60, 1), (70, 2), (71, 3), (72, 1), (73, 1), (74, 4),
                       (75, 3), (76, 6), (85, 5), (90, 2)]:
    make_widget(_number, _argc)


def answer_arg(number, argc, index):
    def stub(interp, args_w):
        return args_w[index]
    stub.func_name = "stub_%d" % number
    primitive(number, argc)(stub)

for _number, _argc, _index in [(61, 2, 1), (62, 2, 0), (63, 3, 0),
                               (64, 2, 0), (65, 2, 0), (66, 1, 0),
                               (77, 2, 0), (79, 2, 0), (84, 2, 0),
                               (86, 2, 0), (87, 2, 0), (88, 2, 0),
                               (91, 3, 0), (118, 2, 0)]:
    answer_arg(_number, _argc, _index)
