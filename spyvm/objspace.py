"""The one `space` object: well-known objects and wrapping helpers."""

from spyvm.model import (W_SmallInt, W_PointersObject,
                         W_BytesObject, W_Float)
from spyvm.errors import PrimitiveFailed, ImageError
from spyvm.pic import DEFAULT_PIC_SIZE, DEFAULT_HOT_CLASSES, HOT_SAMPLE
from spyvm.watchdog import Watchdog
from spyvm.lookup import MethodCache
from spyvm.memory import MemoryLimit, DEFAULT_CEILING
from spyvm.stats import SiteRegistry
from spyvm.loopkey import LoopKey
from spyvm.pureleaf import Scratch
from spyvm import bytecodes as bc


DEFAULT_SHORT_LOOP = 32
MAX_SHORT_LOOP = 64


class Config(object):
    """Run-time switches that traces read as constants.

    The command line sets them before any Smalltalk code runs, and nothing
    changes them after: plain immutable fields, so tracing folds every read
    to a constant.  (Quasi-immutable, each read recorded an operation and a
    guard that only the optimizer removed again: 3 of the 7 such pairs a
    traced send recorded; docs/architecture.md, "Cheaper tracing".)
    """
    _attrs_ = ['stats_enabled', 'pic_size', 'pic_enabled', 'loop_keys',
               'short_loop', 'hot_classes', 'hot_sample', 'frame_arrays',
               'profiling']
    _immutable_fields_ = ['stats_enabled', 'pic_size', 'pic_enabled',
                          'loop_keys', 'short_loop', 'hot_classes',
                          'hot_sample', 'frame_arrays', 'profiling']

    def __init__(self):
        self.stats_enabled = False
        self.pic_size = DEFAULT_PIC_SIZE
        self.pic_enabled = True
        self.loop_keys = True       # loopkey.py; off: --no-loop-keys
        # contexts' Arrays in framearray.py; off: --no-frame-arrays
        self.frame_arrays = True
        # a loop is short while no activation took more backward branches
        # in it (--short-loop; Interpreter.unrolls_here)
        self.short_loop = DEFAULT_SHORT_LOOP
        # classes a megamorphic site keeps specialised (pic.py)
        self.hot_classes = DEFAULT_HOT_CLASSES
        # sends a site samples after turning megamorphic (pic.py; tests
        # make it small to reach the choice in fewer sends)
        self.hot_sample = HOT_SAMPLE
        # --profile: what traces read for profiler.state.on (profiler.py)
        self.profiling = False


class ObjSpace(object):
    _attrs_ = ['w_nil', 'w_true', 'w_false', 'w_Array', 'w_Block',
               'w_Context', 'w_SmallInt', 'w_String', 'w_Class',
               'w_Float', 'w_Transcript',
               'known_classinfos', 'pic_epoch', 'config', 'image_path',
               'sites', 'w_no_temps', 'method_cache', 'memory', 'watchdog',
               'root_key', 'leaf_scratch', 'w_constant_ints']
    _immutable_fields_ = ['w_nil', 'w_true', 'w_false', 'w_Array',
                          'w_constant_ints[*]',
                          'w_no_temps', 'method_cache', 'watchdog',
                          'root_key', 'leaf_scratch',
                          'w_Block', 'w_Context', 'w_SmallInt', 'config',
                          'w_String?', 'w_Class?', 'w_Float?',
                          'w_Transcript?',
                          'pic_epoch?']

    def __init__(self):
        self.config = Config()
        # Placeholders until an image is installed; the roots are filled in
        # by install_roots() before any Smalltalk code runs.
        self.w_nil = W_PointersObject(None, [])
        self.w_true = W_PointersObject(None, [])
        self.w_false = W_PointersObject(None, [])
        self.w_Array = W_PointersObject(None, [])
        self.w_no_temps = W_PointersObject(None, [])
        self.w_Block = W_PointersObject(None, [])
        self.w_Context = W_PointersObject(None, [])
        self.w_SmallInt = W_PointersObject(None, [])
        self.w_String = None
        # PushConstant 0-9 push these shared boxes, as the Java VM does
        # (SmallInts compare by value, spec 7 item 4): a method that
        # answers a constant, such as a recursion's base case, allocates
        # nothing, and in a trace the box is a constant
        self.w_constant_ints = [W_SmallInt(i) for i in range(10)]
        self.w_Class = None
        self.w_Float = None
        self.w_Transcript = None
        self.known_classinfos = []
        self.pic_epoch = 0
        self.image_path = ""
        self.sites = SiteRegistry()     # weakly, for the --stats census
        self.method_cache = MethodCache()
        self.memory = MemoryLimit(DEFAULT_CEILING)
        self.watchdog = Watchdog()
        # the loop keys' intern table (loopkey.py): one per space, so it
        # goes with the image whose code it holds
        self.root_key = LoopKey.root()
        self.leaf_scratch = Scratch()   # the pure leaves' stack (pureleaf.py)

    # ---------------------------------------------------------- image roots

    def install_roots(self, objects_w):
        """Take the seven roots of spec 1.6 and find the other classes."""
        if len(objects_w) < 17:
            raise ImageError("image has %d objects, fewer than the 17 "
                             "well-known ones" % len(objects_w))
        for w_obj in objects_w[:7]:
            if not isinstance(w_obj, W_PointersObject):
                raise ImageError("root objects 0-6 must be pointer objects")
        self.w_nil = objects_w[0]
        self.w_true = objects_w[1]
        self.w_false = objects_w[2]
        self.w_Array = objects_w[3]
        # the temporaries of every method that has none: an empty Array
        # cannot be changed, so contexts can share one
        self.w_no_temps = W_PointersObject(self.w_Array, [])
        self.w_Block = objects_w[4]
        self.w_Context = objects_w[5]
        self.w_SmallInt = objects_w[6]
        w_true_class = self.w_true.getclass(self)
        w_name = self.safe_fetch(w_true_class, 0)
        if not isinstance(w_name, W_BytesObject):
            raise ImageError("class True has no name String")
        self.w_String = w_name.getclass(self)
        self.w_Class = self.w_Array.getclass(self).getclass(self)
        self.w_Float = self.find_class("Float")
        self.w_Transcript = self.find_class("Transcript")

    def safe_fetch(self, w_obj, index):
        if isinstance(w_obj, W_PointersObject) and 0 <= index < w_obj.size():
            return w_obj.fetch(self, index)
        return self.w_nil

    def all_classes(self):
        """`Class classes` (class variable in slot 5 of Class)."""
        w_classes = self.safe_fetch(self.w_Class, 5)
        if isinstance(w_classes, W_PointersObject):
            return w_classes.items(self)
        return []

    def find_class(self, name):
        for w_class in self.all_classes():
            if self.class_name(w_class) == name:
                return w_class
        return None

    def class_name(self, w_class):
        w_name = self.safe_fetch(w_class, 0)
        if isinstance(w_name, W_BytesObject):
            return w_name.as_string()
        return "?"

    # ------------------------------------------------------------- wrapping

    def constant_value(self, low):
        """What PushConstant `low` pushes (spec 3.2), or None if undefined."""
        if 0 <= low <= 9:
            return self.w_constant_ints[low]
        elif low == bc.CONST_NIL:
            return self.w_nil
        elif low == bc.CONST_TRUE:
            return self.w_true
        elif low == bc.CONST_FALSE:
            return self.w_false
        return None

    def wrap_int(self, value):
        return W_SmallInt(value)

    def wrap_bool(self, value):
        if value:
            return self.w_true
        return self.w_false

    def wrap_string(self, s):
        return W_BytesObject(self.w_String, [c for c in s])

    def wrap_float(self, value):
        return W_Float(self.w_Float, value)

    def new_array(self, size):
        return W_PointersObject.new_nils(self.w_Array, size)

    def wrap_list(self, items_w):
        return W_PointersObject(self.w_Array, items_w)

    def unwrap_int(self, w_obj):
        if isinstance(w_obj, W_SmallInt):
            return w_obj.value
        raise PrimitiveFailed("expected a SmallInt")

    def unwrap_string(self, w_obj):
        if isinstance(w_obj, W_BytesObject):
            return w_obj.as_string()
        raise PrimitiveFailed("expected a String")

    def unwrap_pointers(self, w_obj):
        if isinstance(w_obj, W_PointersObject):
            return w_obj
        raise PrimitiveFailed("expected a pointer object")

    # ------------------------------------------------------- method lookups

    def classinfo_changed(self):
        """A class's methods or parent changed: every cached lookup and
        every inline cache may be stale.  Redefinition is rare (file-ins),
        so a global flush keeps the hot paths simple.
        """
        for info in self.known_classinfos:
            info.invalidate()
        self.method_cache.flush()
        self.pic_epoch += 1
