"""The operand stack a method can actually need, by abstract interpretation.

The image's compiler sizes `stackSize` with a heuristic that ignores
primitives and long literal arrays (spec 7 item 22), so a correct method can
overflow it.  Contexts get max(stackSize, what the bytecode needs) slots,
computed once per method: the stack keeps a fixed length, which traces need
(it is a virtualizable array).
"""

from spyvm import bytecodes as bc


def max_stack_depth(bytes):
    """The deepest operand stack any path through `bytes` reaches, from the
    method's entry and from each block body's entry (blocks share the
    method's stack size).  Malformed code is cut off at a bound; the
    interpreter still checks every push."""
    limit = len(bytes) + 1     # each push takes at least one byte
    seen = [-1] * (len(bytes) + 1)
    work_pcs = [0]
    work_depths = [0]
    deepest = 0
    while work_pcs:
        pc = work_pcs.pop()
        depth = work_depths.pop()
        while 0 <= pc < len(bytes):
            if depth > limit:
                depth = limit
            if depth < 0:
                depth = 0       # underflow: the interpreter reports it
            if seen[pc] >= depth:
                break
            seen[pc] = depth
            if depth > deepest:
                deepest = depth
            high, low, next_pc = bc.decode(bytes, pc)
            if next_pc < 0:
                break
            pc = next_pc
            if (high == bc.PUSH_INSTANCE or high == bc.PUSH_ARGUMENT or
                    high == bc.PUSH_TEMPORARY or high == bc.PUSH_LITERAL or
                    high == bc.PUSH_CONSTANT or
                    high == bc.PUSH_CLASS_VARIABLE):
                depth += 1
            elif high == bc.MARK_ARGUMENTS:
                depth = depth - low + 1
            elif high == bc.SEND_BINARY:
                depth -= 1
            elif high == bc.PUSH_BLOCK:
                if pc >= len(bytes):
                    break
                target = ord(bytes[pc])
                pc += 1
                work_pcs.append(pc)          # the block body, own stack
                work_depths.append(0)
                depth += 1
                pc = target
            elif high == bc.DO_PRIMITIVE:
                pc += 1
                depth = depth - low + 1
            elif high == bc.DO_SPECIAL:
                if (low == bc.SELF_RETURN or low == bc.STACK_RETURN or
                        low == bc.BLOCK_RETURN):
                    break
                elif low == bc.DUPLICATE:
                    depth += 1
                elif low == bc.POP_TOP:
                    depth -= 1
                elif low == bc.BRANCH:
                    if pc >= len(bytes):
                        break
                    pc = ord(bytes[pc])
                elif low == bc.BRANCH_IF_TRUE or low == bc.BRANCH_IF_FALSE:
                    if pc >= len(bytes):
                        break
                    depth -= 1
                    work_pcs.append(ord(bytes[pc]))
                    work_depths.append(depth)
                    pc += 1
                elif low == bc.SEND_TO_SUPER:
                    pc += 1
            if depth > deepest:
                deepest = min(depth, limit)
    return deepest
