"""The bytecode set of spec 3: opcode numbers and the decoder."""

PUSH_INSTANCE = 1
PUSH_ARGUMENT = 2
PUSH_TEMPORARY = 3
PUSH_LITERAL = 4
PUSH_CONSTANT = 5
ASSIGN_INSTANCE = 6
ASSIGN_TEMPORARY = 7
MARK_ARGUMENTS = 8
SEND_MESSAGE = 9
SEND_UNARY = 10
SEND_BINARY = 11
PUSH_BLOCK = 12
DO_PRIMITIVE = 13
PUSH_CLASS_VARIABLE = 14
DO_SPECIAL = 15

# DoSpecial sub-codes
SELF_RETURN = 1
STACK_RETURN = 2
BLOCK_RETURN = 3
DUPLICATE = 4
POP_TOP = 5
BRANCH = 6
BRANCH_IF_TRUE = 7
BRANCH_IF_FALSE = 8
SEND_TO_SUPER = 11

# PushConstant operands above 9
CONST_NIL = 10
CONST_TRUE = 11
CONST_FALSE = 12

# SendBinary and SendUnary operands (spec 3.7)
BINARY_SELECTORS = ['<', '<=', '+']
UNARY_SELECTORS = ['isNil', 'notNil']

OPCODE_NAMES = ['Extended', 'PushInstance', 'PushArgument', 'PushTemporary',
                'PushLiteral', 'PushConstant', 'AssignInstance',
                'AssignTemporary', 'MarkArguments', 'SendMessage',
                'SendUnary', 'SendBinary', 'PushBlock', 'DoPrimitive',
                'PushClassVariable', 'DoSpecial']


def decode(bytes, pc):
    """Answer (high, low, next_pc); next_pc is -1 past the end."""
    if pc >= len(bytes):
        return 0, 0, -1
    b = ord(bytes[pc])
    pc += 1
    high = b >> 4
    low = b & 15
    if high == 0:
        if pc >= len(bytes):
            return 0, 0, -1
        high = low
        low = ord(bytes[pc])
        pc += 1
    return high, low, pc


def name_at(bytes, pc):
    high, low, next_pc = decode(bytes, pc)
    if next_pc < 0:
        return "<end>"
    return "%s %d" % (OPCODE_NAMES[high], low)
