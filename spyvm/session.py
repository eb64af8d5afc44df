"""A session with an image: the boot protocol (spec 5) of startUp,
file-ins, expressions and the REPL.

Every task is a `String>>doIt` run as its own execution, so an error or a
halt ends only that task.
"""

from spyvm.model import W_BytesObject, W_PointersObject
from spyvm.context import method_context
from spyvm.code import code_of_method
from spyvm.lookup import method_named, classinfo_of
from spyvm.errors import VMError
from spyvm.hostio import (LineBuffer, write_stdout, write_stderr,
                          stdin_is_terminal)


class Session(object):
    _attrs_ = ['interp', 'space', 'doit_code']

    def __init__(self, interp):
        self.interp = interp
        self.space = interp.space
        self.doit_code = None

    def find_doit(self):
        """String's own `doIt` method (not inherited, spec 5.1)."""
        space = self.space
        w_methods = space.safe_fetch(space.w_String, 2)
        if isinstance(w_methods, W_PointersObject):
            for w_method in w_methods.items(space):
                if (isinstance(w_method, W_PointersObject) and
                        method_named(space, w_method, "doIt")):
                    return code_of_method(space, w_method)
        raise VMError("the image has no String>>doIt: cannot boot it")

    def doit(self, text):
        """Evaluate `text` with String>>doIt; answer the result."""
        space = self.space
        if self.doit_code is None:
            self.doit_code = self.find_doit()
        code = self.doit_code
        w_args = space.wrap_list([space.wrap_string(text)])
        ctx = method_context(space, code, w_args, max(code.stack_size, 14),
                             space.w_nil)
        return self.interp.execute(ctx)

    def file_in(self, path):
        self.doit("(File openRead: %s) fileIn" % string_literal(path))

    def evaluate_and_print(self, expr):
        """Answer True if the expression printed a result.

        The wrapper `[ EXPR ] value printString` answers a String, unless
        EXPR bypasses it (`^ 3`, or `1 ] value. [ 2`): then the value that
        came back is printed with its own printString.
        """
        errors = self.interp.error_count
        w_result = self.doit("[ %s ] value printString" % expr)
        if self.interp.error_count > errors:
            return False
        if not isinstance(w_result, W_BytesObject):
            w_result = self.print_string(w_result)
        if isinstance(w_result, W_BytesObject):
            write_stdout(w_result.as_string() + "\n")
            return True
        self.interp.error_count += 1
        write_stderr("Error: the expression answered no "
                                "printString\n")
        return False

    def print_string(self, w_obj):
        """`w_obj printString`, sent from the host as its own execution."""
        space = self.space
        w_class = w_obj.getclass(space)
        code = classinfo_of(space, w_class).lookup("printString")
        if code is None:
            return None
        ctx = method_context(space, code, space.wrap_list([w_obj]),
                             code.stack_size, space.w_nil)
        return self.interp.execute(ctx)

    def run(self, files, exprs):
        interp = self.interp
        self.doit("SmallWorld startUp")
        for path in files:
            self.file_in(path)
        for expr in exprs:
            self.evaluate_and_print(expr)
        if not files and not exprs:
            self.repl()
        if interp.error_count > 0:
            return 1
        return 0

    def repl(self):
        interactive = stdin_is_terminal()
        reader = LineBuffer(0)
        while True:
            if interactive:
                write_stdout("spy> ")
            try:
                line = reader.next_line()
            except OSError:
                line = None
            if line is None:
                break
            if line.strip() == "":
                continue
            self.evaluate_and_print(line)
        if interactive:
            write_stdout("\n")


def string_literal(text):
    """`text` as a Smalltalk string literal (quotes doubled)."""
    parts = ["'"]
    for c in text:
        parts.append(c)
        if c == "'":
            parts.append("'")
    parts.append("'")
    return "".join(parts)
