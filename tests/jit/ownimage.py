"""spy's own image with the JIT tests' methods (JIT_SOURCE) and, on request,
a class hierarchy for megamorphic sites; sends into it from RPython code."""

JIT_SOURCE = """
CLASS Object subclass: 'JitShape' variables: '' classVariables: ''
CLASS JitShape subclass: 'JitA' variables: '' classVariables: ''
CLASS JitShape subclass: 'JitB' variables: '' classVariables: ''
METHOD JitA
weight
  ^ 1
!
METHOD JitB
weight
  ^ 2
!
METHOD SmallInt
jitSum: shapes | sum |
  sum <- 0.
  1 to: self do: [:i | sum <- sum + (shapes at: i \\\\ shapes size + 1) weight ].
  ^ sum
!
METHOD SmallInt
jitCount | count |
  count <- 0.
  1 to: self do: [:i | count <- count + i ].
  ^ count
!
METHOD SmallInt
jitFill | flags count |
  flags <- Array new: self.
  count <- 0.
  1 to: self do: [:i | flags at: i put: true. count <- count + 1 ].
  ^ count
!
METHOD SmallInt
jitCells | cells cell sum |
  cells <- Array new: 3.
  1 to: 3 do: [:k | cell <- Array new: 1. cell at: 1 put: k. cells at: k put: cell ].
  sum <- 0.
  1 to: self do: [:i | sum <- sum + ((cells at: i \\\\ 3 + 1) at: 1) ].
  ^ sum
!
METHOD SmallInt
jitArrays | count |
  count <- 0.
  1 to: self do: [:i | count <- count + (Array new: i \\\\ 4 + 1) size ].
  ^ count
!
METHOD SmallInt
jitTwoBlocks | a b |
  a <- 0. b <- 0.
  1 to: self do: [:i | a <- a + i ].
  1 to: self do: [:i | b <- b + i + 1 ].
  ^ a + b
!
METHOD SmallInt
jitBlockSum | blk sum i |
  blk <- [:x | x + 1].
  sum <- 0. i <- 0.
  [ i < self ] whileTrue: [ sum <- sum + (blk value: i). i <- i + 1 ].
  ^ sum
!
METHOD SmallInt
jitTriangle | sum i |
  sum <- 0. i <- 0.
  [ i < self ] whileTrue: [ i <- i + 1. sum <- sum + i ].
  ^ sum
!
METHOD SmallInt
jitTriangles | total i |
  total <- 0. i <- 0.
  [ i < self ] whileTrue: [ total <- total + (i \\\\ 4) jitTriangle. i <- i + 1 ].
  ^ total
!
METHOD SmallInt
jitRare | total i |
  total <- 0. i <- 0.
  [ i < self ] whileTrue: [
    i < 5 ifTrue: [ total <- total + 1000 ] ifFalse: [ total <- total + 1 ].
    i <- i + 1 ].
  ^ total
!
METHOD SmallInt
jitNested | total i j |
  total <- 0. i <- 0.
  [ i < self ] whileTrue: [
    j <- 0.
    [ j < 3 ] whileTrue: [ total <- total + j. j <- j + 1 ].
    i <- i + 1 ].
  ^ total
!
METHOD SmallInt
jitFib
  self < 2 ifTrue: [ ^ 1 ].
  ^ (self - 1) jitFib + (self - 2) jitFib + 1
!
"""


def jit_fib(n):
    """What SmallInt>>jitFib answers: the number of sends it makes."""
    return 1 if n < 2 else jit_fib(n - 1) + jit_fib(n - 2) + 1


def build_own_image(extra_source, megamorphic_classes=0,
                    sending_callees=False):
    """The default image built from images/source plus extra_source."""
    import os
    import tempfile
    from spyvm.bootstrap.sources import read_sources, read_file
    from spyvm.bootstrap.builder import Builder, DEFAULT_SOURCE_DIR
    text = extra_source
    # `^ k + 0`, not `^ k`: a quick method would need no residual call;
    # every other class's method assigns a temporary, so it is not pure
    # (pureleaf.py) and runs through Interpreter.invoke_residual.  With
    # sending_callees every method is `^ (k max: 0) + 0`: pure, and it
    # sends a message
    for k in range(megamorphic_classes):
        if sending_callees:
            body = "weight\n  ^ (%d max: 0) + 0" % k
        elif k % 2 == 0:
            body = "weight\n  ^ %d + 0" % k
        else:
            body = "weight | w |\n  w <- %d.\n  ^ w + 0" % k
        text += ("CLASS JitShape subclass: 'JitM%d' variables: '' "
                 "classVariables: ''\nMETHOD JitM%d\n%s\n!\n"
                 % (k, k, body))
    classes, methods = read_sources(DEFAULT_SOURCE_DIR)
    fd, path = tempfile.mkstemp(suffix=".st")
    os.write(fd, text)
    os.close(fd)
    try:
        read_file(path, classes, methods)
    finally:
        os.unlink(path)
    built = Builder(classes, methods).build()
    # through the image writer and reader, as ./spy would see it
    from spyvm.objspace import ObjSpace
    from spyvm.image_reader import load_image
    from spyvm.image_writer import serialize_image
    space = ObjSpace()
    load_image(space, serialize_image(built))
    return space


class OwnImage(object):
    def __init__(self, megamorphic_classes=0, sending_callees=False):
        from spyvm.interpreter import Interpreter
        self.space = build_own_image(JIT_SOURCE, megamorphic_classes,
                                     sending_callees)
        self.interp = Interpreter(self.space)

    def cls(self, name):
        return self.space.find_class(name)

    def send(self, w_rcv, selector, args_w):
        from spyvm.context import method_context
        from spyvm.lookup import classinfo_of
        space = self.space
        code = classinfo_of(space, w_rcv.getclass(space)).lookup(selector)
        w_args = space.wrap_list([w_rcv] + args_w)
        # as a send makes it: the frame holds receiver, arguments and
        # temporaries, and their Arrays are made when a block needs them
        ctx = method_context(space, code, w_args, code.stack_size,
                             space.w_nil)
        return self.interp.execute(ctx)

    def instances(self, names):
        from spyvm.model import W_PointersObject
        return self.space.wrap_list([W_PointersObject.new_nils(self.cls(n), 0)
                                     for n in names])

