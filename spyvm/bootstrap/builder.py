"""Lays out the default image (spec 1.6, 2) and writes it."""

import os

from spyvm.objspace import ObjSpace
from spyvm.model import W_PointersObject, W_BytesObject, W_SmallInt
from spyvm.image_writer import save_image
from spyvm.bootstrap.compiler import compile_method, CompileError
from spyvm.bootstrap.sources import read_sources

CLASS_IVARS = ['name', 'parentClass', 'methods', 'size', 'variables']
MAX_INT32 = 2 ** 31 - 1
MIN_INT32 = -2 ** 31
DEFAULT_SOURCE_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), 'images', 'source')


class Builder(object):
    def __init__(self, classdefs, methoddefs):
        self.classdefs = classdefs
        self.methoddefs = methoddefs
        self.defs = {}
        self.w_classes = {}
        self.w_metas = {}
        self.space = ObjSpace()
        self.methods = {}       # (name, meta) -> {selector: w_method}
        self.compiled = []      # (class name, meta, CompiledMethod)

    def error(self, msg, d):
        raise CompileError(msg, d.line, d.filename)

    def check_classes(self):
        for d in self.classdefs:
            if d.name in self.defs:
                self.error("class %s defined twice" % d.name, d)
            self.defs[d.name] = d
        for name in ['Object', 'Class', 'Undefined', 'True', 'False', 'Array',
                     'Block', 'Context', 'SmallInt', 'String', 'ByteArray',
                     'Char', 'Method']:
            if name not in self.defs:
                raise CompileError("the library must define class %s" % name)
        for d in self.classdefs:
            if d.parent is not None and d.parent not in self.defs:
                self.error("unknown superclass %s" % d.parent, d)
            seen = set()
            p = d
            while p is not None:
                if p.name in seen:
                    self.error("circular superclass chain", d)
                seen.add(p.name)
                p = self.defs.get(p.parent) if p.parent else None

    def inst_names(self, name):
        d = self.defs[name]
        chain = self.inst_names(d.parent) if d.parent else []
        return chain + d.ivars

    def meta_inst_names(self, name):
        d = self.defs[name]
        if d.parent is None:
            chain = self.inst_names('Class')
        else:
            chain = self.meta_inst_names(d.parent)
        return chain + d.classvars

    def string(self, s):
        return W_BytesObject(self.w_classes['String'], list(s))

    def strings(self, names):
        return self.space.wrap_list([self.string(n) for n in names])

    def build(self):
        self.check_classes()
        space = self.space
        # objects first, slots later (classes refer to each other)
        for d in self.classdefs:
            self.w_metas[d.name] = W_PointersObject(None, [])
            self.w_classes[d.name] = W_PointersObject(
                self.w_metas[d.name], [None] * 5)
        w_Class = self.w_classes['Class']
        for w_meta in self.w_metas.values():
            w_meta.w_class = w_Class
            w_meta.slots_w = [None] * 5
        space.w_Array = self.w_classes['Array']
        space.w_String = self.w_classes['String']
        space.w_nil = W_PointersObject(self.w_classes['Undefined'], [])
        space.w_true = W_PointersObject(self.w_classes['True'], [])
        space.w_false = W_PointersObject(self.w_classes['False'], [])
        space.w_Block = self.w_classes['Block']
        space.w_Context = self.w_classes['Context']
        space.w_SmallInt = self.w_classes['SmallInt']
        nil = space.w_nil
        for d in self.classdefs:
            w_cls = self.w_classes[d.name]
            w_meta = self.w_metas[d.name]
            w_cls.slots_w[0] = self.string(d.name)
            w_cls.slots_w[1] = self.w_classes[d.parent] if d.parent else nil
            w_cls.slots_w[3] = W_SmallInt(len(self.inst_names(d.name)))
            w_cls.slots_w[4] = self.strings(d.ivars) if d.parent else nil
            w_cls.slots_w.extend(
                [nil] * (len(self.meta_inst_names(d.name)) - 5))
            w_meta.slots_w[0] = self.string('Meta' + d.name)
            w_meta.slots_w[1] = (self.w_metas[d.parent] if d.parent
                                 else w_Class)
            w_meta.slots_w[3] = W_SmallInt(len(self.meta_inst_names(d.name)))
            w_meta.slots_w[4] = self.strings(d.classvars)
            self.methods[(d.name, False)] = {}
            self.methods[(d.name, True)] = {}
        for m in self.methoddefs:
            self.compile(m)
        for d in self.classdefs:
            for meta, w_owner in ((False, self.w_classes[d.name]),
                                  (True, self.w_metas[d.name])):
                table = self.methods[(d.name, meta)]
                w_owner.slots_w[2] = space.wrap_list(
                    [table[sel] for sel in sorted(table)])
        names = sorted(self.w_classes)
        w_Class.slots_w[5] = space.wrap_list([self.w_classes[n] for n in names])
        return space

    def compile(self, m):
        if m.class_name not in self.defs:
            raise CompileError("unknown class %s" % m.class_name,
                               m.line - 1, m.filename)
        if m.meta:
            inst = self.meta_inst_names(m.class_name)
            cvars = []
            w_owner = self.w_metas[m.class_name]
        else:
            inst = self.inst_names(m.class_name)
            # class variables of the whole chain, by class-object slot
            cvars = self.meta_inst_names(m.class_name)[5:]
            w_owner = self.w_classes[m.class_name]
        try:
            cm = compile_method(m.text, inst, cvars,
                                lambda n: n in self.defs, m.line)
        except CompileError as e:
            e.filename = m.filename
            if e.line == 0:
                e.line = m.line
            raise
        table = self.methods[(m.class_name, m.meta)]
        if cm.selector in table:
            raise CompileError("%s%s>>%s defined twice" % (
                'Meta' if m.meta else '', m.class_name, cm.selector),
                m.line, m.filename)
        literals = [self.literal(lit, m) for lit in cm.literals]
        space = self.space
        w_method = W_PointersObject(self.w_classes['Method'], [
            self.string(cm.selector),
            W_BytesObject(self.w_classes['ByteArray'],
                          [chr(b) for b in cm.code]),
            space.wrap_list(literals),
            W_SmallInt(cm.stack_size),
            W_SmallInt(cm.temp_size),
            w_owner,
            self.string(m.text)])
        table[cm.selector] = w_method
        self.compiled.append((m.class_name, m.meta, cm))

    def literal(self, lit, m):
        kind, value = lit
        if kind == 'int':
            if not MIN_INT32 <= value <= MAX_INT32:
                raise CompileError("integer literal %d does not fit in 32 "
                                   "bits (image files hold 32-bit integers)"
                                   % value, m.line, m.filename)
            return W_SmallInt(value)
        if kind == 'string':
            return self.string(value)
        if kind == 'char':
            return W_PointersObject(self.w_classes['Char'],
                                    [W_SmallInt(ord(value))])
        if kind == 'global':
            return self.w_classes[value]
        raise CompileError("%s literals cannot be stored in an image "
                           "(floats are host objects)" % kind,
                           m.line, m.filename)


def build_space(source_dir=DEFAULT_SOURCE_DIR):
    classes, methods = read_sources(source_dir)
    builder = Builder(classes, methods)
    return builder.build(), builder


def build_image(path, source_dir=DEFAULT_SOURCE_DIR):
    space, builder = build_space(source_dir)
    save_image(space, path)
    return builder
