"""A hand-built miniature image for unit tests, and a bytecode assembler.

It has the seven roots of spec 1.6, String/ByteArray/Method/Class and the
metaclass structure of spec 2.3, so methods assembled here run in the real
interpreter without the SmallWorld image.
"""

from spyvm.objspace import ObjSpace
from spyvm.interpreter import Interpreter
from spyvm.model import W_PointersObject, W_BytesObject, W_SmallInt
from spyvm.context import method_context
from spyvm.code import code_of_method
from spyvm.lookup import classinfo_of
from spyvm import bytecodes as bc


# ------------------------------------------------------------- assembler

def op(high, low=0):
    """One instruction; operands above 15 use the extended form."""
    if low < 16:
        return [(high << 4) | low]
    return [high, low]

def push_inst(i): return op(bc.PUSH_INSTANCE, i)
def push_arg(i): return op(bc.PUSH_ARGUMENT, i)
def push_temp(i): return op(bc.PUSH_TEMPORARY, i)
def push_lit(i): return op(bc.PUSH_LITERAL, i)
def push_const(i): return op(bc.PUSH_CONSTANT, i)
def push_self(): return push_arg(0)
def push_nil(): return push_const(bc.CONST_NIL)
def push_true(): return push_const(bc.CONST_TRUE)
def push_false(): return push_const(bc.CONST_FALSE)
def assign_inst(i): return op(bc.ASSIGN_INSTANCE, i)
def assign_temp(i): return op(bc.ASSIGN_TEMPORARY, i)
def mark(n): return op(bc.MARK_ARGUMENTS, n)
def send(lit): return op(bc.SEND_MESSAGE, lit)
def send_unary(n): return op(bc.SEND_UNARY, n)
def send_binary(n): return op(bc.SEND_BINARY, n)
def push_block(argloc, target): return op(bc.PUSH_BLOCK, argloc) + [target]
def prim(argc, number): return op(bc.DO_PRIMITIVE, argc) + [number]
def push_classvar(i): return op(bc.PUSH_CLASS_VARIABLE, i)
def self_return(): return op(bc.DO_SPECIAL, bc.SELF_RETURN)
def stack_return(): return op(bc.DO_SPECIAL, bc.STACK_RETURN)
def block_return(): return op(bc.DO_SPECIAL, bc.BLOCK_RETURN)
def dup(): return op(bc.DO_SPECIAL, bc.DUPLICATE)
def pop(): return op(bc.DO_SPECIAL, bc.POP_TOP)
def branch(t): return op(bc.DO_SPECIAL, bc.BRANCH) + [t]
def branch_if_true(t): return op(bc.DO_SPECIAL, bc.BRANCH_IF_TRUE) + [t]
def branch_if_false(t): return op(bc.DO_SPECIAL, bc.BRANCH_IF_FALSE) + [t]
def super_send(lit): return op(bc.DO_SPECIAL, bc.SEND_TO_SUPER) + [lit]


def assemble(*parts):
    out = []
    for part in parts:
        out.extend(part)
    return out


# ------------------------------------------------------------ mini image

CLASS_NAMES = ["Object", "Undefined", "Boolean", "True", "False", "Magnitude",
               "Collection", "Indexed", "Array", "String", "ByteArray",
               "Block", "Context", "Number", "Integer", "SmallInt", "Class",
               "Method", "Char", "Float", "Transcript"]
PARENTS = {"Undefined": "Object", "Boolean": "Object", "True": "Boolean",
           "False": "Boolean", "Magnitude": "Object",
           "Collection": "Magnitude", "Indexed": "Collection",
           "Array": "Indexed", "String": "Array", "ByteArray": "Array",
           "Context": "Object", "Block": "Context", "Number": "Magnitude",
           "Integer": "Number", "SmallInt": "Integer", "Class": "Object",
           "Method": "Object", "Char": "Magnitude", "Float": "Number",
           "Transcript": "Object"}


class MiniImage(object):
    def __init__(self):
        self.space = space = ObjSpace()
        self.classes = {}
        self.w_nil = W_PointersObject(None, [])
        space.w_nil = self.w_nil
        w_class_class = W_PointersObject(None, [None] * 6)
        w_meta_class = W_PointersObject(w_class_class, [None] * 6)
        w_class_class.w_class = w_meta_class
        self.classes["Class"] = w_class_class
        for name in CLASS_NAMES:
            if name == "Class":
                w_meta, w_cls = w_meta_class, w_class_class
            else:
                w_meta = W_PointersObject(w_class_class, [None] * 5)
                w_cls = W_PointersObject(w_meta, [None] * 6)
            self.classes[name] = w_cls
            self.metas = getattr(self, "metas", {})
            self.metas[name] = w_meta
        space.w_String = self.classes["String"]
        for name in CLASS_NAMES:
            w_cls = self.classes[name]
            w_meta = self.metas[name]
            parent = PARENTS.get(name)
            w_parent = self.classes[parent] if parent else self.w_nil
            w_meta_parent = (self.metas[parent] if parent
                             else self.classes["Class"])
            self._init_class(w_cls, name, w_parent)
            self._init_class(w_meta, "Meta" + name, w_meta_parent)
        self.w_nil.w_class = self.classes["Undefined"]
        space.w_true = W_PointersObject(self.classes["True"], [])
        space.w_false = W_PointersObject(self.classes["False"], [])
        space.w_Array = self.classes["Array"]
        space.w_Block = self.classes["Block"]
        space.w_Context = self.classes["Context"]
        space.w_SmallInt = self.classes["SmallInt"]
        space.w_Class = self.classes["Class"]
        space.w_Float = self.classes["Float"]
        space.w_Transcript = self.classes["Transcript"]
        self.classes["Class"].slots_w[5] = space.wrap_list(
            [self.classes[n] for n in sorted(CLASS_NAMES)])
        self.interp = Interpreter(space)

    def _init_class(self, w_cls, name, w_parent):
        space = self.space
        w_cls.slots_w[0] = W_BytesObject(space.w_String, list(name))
        w_cls.slots_w[1] = w_parent
        w_cls.slots_w[2] = W_PointersObject(None, [])
        w_cls.slots_w[3] = W_SmallInt(0)
        w_cls.slots_w[4] = W_PointersObject(None, [])
        for i in range(5, len(w_cls.slots_w)):
            w_cls.slots_w[i] = self.w_nil

    def fix_arrays(self):
        """Arrays made before class Array existed get their class now."""
        for w_cls in list(self.classes.values()) + list(self.metas.values()):
            for i in (2, 4):
                w_cls.slots_w[i].w_class = self.space.w_Array

    # --------------------------------------------------------------- helpers

    def cls(self, name):
        return self.classes[name]

    def string(self, s):
        return self.space.wrap_string(s)

    def make_method(self, w_class, selector, code, literals=(), stack=8,
                    temps=0):
        space = self.space
        lits = [self.string(l) if isinstance(l, str) else l for l in literals]
        return W_PointersObject(self.cls("Method"), [
            self.string(selector),
            W_BytesObject(self.cls("ByteArray"), [chr(b) for b in code]),
            space.wrap_list(lits), W_SmallInt(stack), W_SmallInt(temps),
            w_class, self.string("")])

    def install(self, w_class, selector, code, literals=(), stack=8, temps=0):
        """Add (or replace) a method the way compileMethod: does: by
        storing a new methods Array into the class (slot 2)."""
        if isinstance(w_class, str):
            w_class = self.cls(w_class)
        w_method = self.make_method(w_class, selector, code, literals, stack,
                                    temps)
        old = [w_m for w_m in w_class.slots_w[2].slots_w
               if w_m.slots_w[0].as_string() != selector]
        w_class.store(self.space, 2, self.space.wrap_list(old + [w_method]))
        return w_method

    def subclass(self, name, parent="Object", ivars=0):
        w_parent = self.cls(parent)
        w_meta = W_PointersObject(self.cls("Class"), [None] * 5)
        w_cls = W_PointersObject(w_meta, [None] * 6)
        self._init_class(w_meta, "Meta" + name, self.metas[parent])
        self._init_class(w_cls, name, w_parent)
        w_cls.slots_w[3] = W_SmallInt(ivars)
        for w in (w_meta, w_cls):
            w.slots_w[2].w_class = self.space.w_Array
            w.slots_w[4].w_class = self.space.w_Array
        self.classes[name] = w_cls
        self.metas[name] = w_meta
        return w_cls

    def new(self, name, *slots):
        return W_PointersObject(self.cls(name), list(slots))

    def run_method(self, w_method, w_rcv, *args_w):
        """Run a method as its own execution (like a host doIt)."""
        space = self.space
        code = code_of_method(space, w_method)
        return self.execute(code, [w_rcv] + list(args_w))

    def execute(self, code, items_w):
        """Run code on receiver and arguments items_w, in a context made as
        a send makes it: the frame holds receiver, arguments and
        temporaries, and their Arrays are made when a block needs them."""
        space = self.space
        ctx = method_context(space, code, space.wrap_list(items_w),
                             code.stack_size, space.w_nil)
        return self.interp.execute(ctx)

    def run(self, code, literals=(), rcv=None, stack=8, temps=0):
        """Assemble `code` as a method of Object and run it."""
        w_method = self.make_method(self.cls("Object"), "test", code,
                                    literals, stack, temps)
        return self.run_method(w_method, rcv if rcv is not None else self.w_nil)

    def send(self, w_rcv, selector, *args_w):
        space = self.space
        code = classinfo_of(space, w_rcv.getclass(space)).lookup(selector)
        assert code is not None, selector
        return self.execute(code, [w_rcv] + list(args_w))


def mini_image():
    image = MiniImage()
    image.fix_arrays()
    return image


def ints(w_list):
    return [w.value for w in w_list.slots_w]
