"""Reader for the class-library sources in images/source/*.st.

The format is the file-in format of spec 5.4 plus one declarative line per
class:

    CLASS Magnitude subclass: 'Number' variables: 'a b' classVariables: 'C'
    METHOD Number
    selector and body ...
    !
    META Number
    class-side method ...
    !

`CLASS nil subclass: 'Object' ...` defines the root.  Blank lines and
lines starting with a double quote (comments) are ignored between chunks;
anything else is an error, reported with file and line.
"""

import glob
import os
import re

from spyvm.bootstrap.compiler import CompileError

CLASS_RE = re.compile(r"^CLASS\s+(\w+)\s+subclass:\s+'(\w+)'\s+"
                      r"variables:\s+'([^']*)'\s+classVariables:\s+'([^']*)'\s*$")


class ClassDef(object):
    def __init__(self, name, parent, ivars, classvars, filename, line):
        self.name = name
        self.parent = parent        # name or None
        self.ivars = ivars
        self.classvars = classvars
        self.filename = filename
        self.line = line


class MethodDef(object):
    def __init__(self, class_name, meta, text, filename, line):
        self.class_name = class_name
        self.meta = meta
        self.text = text            # lines joined, each followed by LF
        self.filename = filename
        self.line = line            # line of the first text line


def read_file(filename, classes, methods):
    with open(filename) as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip('\r')
        lineno = i + 1
        i += 1
        if line.strip() == '':
            continue
        if line.lstrip().startswith('"'):
            # a comment, possibly over several lines
            quotes = line.count('"')
            while quotes % 2 == 1:
                if i >= len(lines):
                    raise CompileError("unterminated comment", lineno,
                                       filename)
                quotes += lines[i].count('"')
                i += 1
            continue
        if line.startswith('CLASS'):
            m = CLASS_RE.match(line)
            if not m:
                raise CompileError("malformed CLASS line", lineno, filename)
            parent = m.group(1)
            if parent == 'nil':
                parent = None
            classes.append(ClassDef(m.group(2), parent, m.group(3).split(),
                                    m.group(4).split(), filename, lineno))
            continue
        if line.startswith('METHOD ') or line.startswith('META '):
            meta = line.startswith('META ')
            name = line.split(None, 1)[1].strip()
            body = []
            start = i + 1
            while True:
                if i >= len(lines):
                    raise CompileError("method chunk not terminated by a "
                                       "line holding only !", lineno,
                                       filename)
                text = lines[i].rstrip('\r')
                i += 1
                if text == '!':
                    break
                body.append(text + '\n')
            methods.append(MethodDef(name, meta, ''.join(body), filename,
                                     start))
            continue
        raise CompileError("unexpected line outside a method chunk: %r"
                           % line[:40], lineno, filename)


def read_sources(directory):
    classes = []
    methods = []
    files = sorted(glob.glob(os.path.join(directory, '*.st')))
    if not files:
        raise CompileError("no .st files", 0, directory)
    for filename in files:
        read_file(filename, classes, methods)
    return classes, methods
