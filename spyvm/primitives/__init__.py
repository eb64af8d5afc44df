"""Primitives (spec 4.2), as a table indexed by primitive number.

Each primitive takes the interpreter and its arguments in push order and
answers one object.  Bad arguments raise PrimitiveFailed, which the
interpreter turns into a Smalltalk-level `error:`.  Primitives 6, 8, 34 and
35 touch contexts and live in the interpreter itself.

By theme: `table` (the table, argument checks and the state primitives
keep), `objects` (objects, SmallInt arithmetic, bytes and strings),
`floats` (Float arithmetic and printing), `host` (the clock, files, image
saving, processes, the headless GUI).  Importing this package fills the
table.
"""

from spyvm.primitives.table import TABLE, STATE
from spyvm.primitives import objects, floats, host

__all__ = ['TABLE', 'STATE', 'objects', 'floats', 'host']
