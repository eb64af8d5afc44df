"""Lexer, parser and code generator for SmallWorld method source.

The generated code follows spec 3.8 exactly (the style of the image's own
compiler), and the in-image compiler (images/source/compiler.st) is a
transliteration of this module: both must produce identical bytecodes,
literals, stackSize and temporarySize for the same source.

stackSize is the exact maximum operand-stack depth of the method and of
all its blocks (block contexts reuse the method's stackSize).
temporarySize counts the method temporaries plus every block parameter
(each block parameter gets its own slot, spec 2.6).
"""

from spyvm.bytecodes import (
    PUSH_INSTANCE, PUSH_ARGUMENT, PUSH_TEMPORARY, PUSH_LITERAL, PUSH_CONSTANT,
    ASSIGN_INSTANCE, ASSIGN_TEMPORARY, MARK_ARGUMENTS, SEND_MESSAGE,
    SEND_UNARY, SEND_BINARY, PUSH_BLOCK, DO_PRIMITIVE, PUSH_CLASS_VARIABLE,
    DO_SPECIAL, SELF_RETURN, STACK_RETURN, BLOCK_RETURN, POP_TOP, BRANCH,
    BRANCH_IF_TRUE, BRANCH_IF_FALSE, SEND_TO_SUPER, CONST_NIL, CONST_TRUE,
    CONST_FALSE, BINARY_SELECTORS, UNARY_SELECTORS)


class CompileError(Exception):
    def __init__(self, msg, line=0, filename=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.line = line
        self.filename = filename

    def __str__(self):
        if self.filename is not None:
            return "%s:%d: %s" % (self.filename, self.line, self.msg)
        return "line %d: %s" % (self.line, self.msg)


BINARY_CHARS = "+-*/\\<>=~@%&|?,"
SPECIAL_CHARS = "()[].^:#"

# selectors compiled to SendBinary / SendUnary, with their operand
BINARY_SPECIAL = dict((sel, i) for i, sel in enumerate(BINARY_SELECTORS))
UNARY_SPECIAL = dict((sel, i) for i, sel in enumerate(UNARY_SELECTORS))
MAX_INT32 = 2 ** 31 - 1


# ------------------------------------------------------------------ lexer

class Token(object):
    def __init__(self, kind, value, line):
        self.kind = kind        # name keyword binary int float string char
        self.value = value      # special assign eof
        self.line = line

    def is_special(self, c):
        return self.kind == 'special' and self.value == c

    def __repr__(self):
        return "Token(%s, %r)" % (self.kind, self.value)


def tokenize(text, first_line=1):
    tokens = []
    i = 0
    n = len(text)
    line = first_line
    while True:
        # blanks and comments
        while i < n:
            c = text[i]
            if c == '\n':
                line += 1
                i += 1
            elif c.isspace():
                i += 1
            elif c == '"':
                j = text.find('"', i + 1)
                if j < 0:
                    raise CompileError("unterminated comment", line)
                line += text.count('\n', i, j)
                i = j + 1
            else:
                break
        if i >= n:
            tokens.append(Token('eof', None, line))
            return tokens
        c = text[i]
        start = i
        if c.isalpha():
            while i < n and (text[i].isalnum() or text[i] == '_'):
                i += 1
            if i < n and text[i] == ':' and not (i + 1 < n and text[i + 1] == '='):
                i += 1
                tokens.append(Token('keyword', text[start:i], line))
            else:
                tokens.append(Token('name', text[start:i], line))
        elif c.isdigit():
            while i < n and text[i].isdigit():
                i += 1
            if i + 1 < n and text[i] == '.' and text[i + 1].isdigit():
                i += 1
                while i < n and text[i].isdigit():
                    i += 1
                tokens.append(Token('float', text[start:i], line))
            else:
                tokens.append(Token('int', int(text[start:i]), line))
        elif c == "'":
            chars = []
            i += 1
            while True:
                if i >= n:
                    raise CompileError("unterminated string", line)
                if text[i] == "'":
                    if i + 1 < n and text[i + 1] == "'":
                        chars.append("'")
                        i += 2
                        continue
                    i += 1
                    break
                if text[i] == '\n':
                    line += 1
                chars.append(text[i])
                i += 1
            tokens.append(Token('string', "".join(chars), line))
        elif c == '$':
            if i + 1 >= n:
                raise CompileError("character literal at end of input", line)
            tokens.append(Token('char', text[i + 1], line))
            if text[i + 1] == '\n':
                line += 1
            i += 2
        elif c == '<' and i + 1 < n and text[i + 1] == '-':
            tokens.append(Token('assign', '<-', line))
            i += 2
        elif c in BINARY_CHARS:
            i += 1
            if i < n and text[i] in BINARY_CHARS and text[i] != '-':
                i += 1
            tokens.append(Token('binary', text[start:i], line))
        elif c in SPECIAL_CHARS:
            tokens.append(Token('special', c, line))
            i += 1
        else:
            raise CompileError("unexpected character %r" % c, line)


# ------------------------------------------------------------------- AST

class Node(object):
    line = 0


class Literal(Node):
    def __init__(self, kind, value, line):
        self.kind = kind        # 'int' 'string' 'char' 'float'
        self.value = value
        self.line = line


class Variable(Node):
    def __init__(self, name, kind, index, line):
        self.name = name
        self.kind = kind        # arg temp inst classvar const global
        self.index = index
        self.line = line


class Assign(Node):
    def __init__(self, target, expr, line):
        self.target = target    # a Variable
        self.expr = expr
        self.line = line


class Send(Node):
    def __init__(self, receiver, selector, args, line):
        self.receiver = receiver
        self.selector = selector
        self.args = args
        self.line = line


class Block(Node):
    def __init__(self, params, temp_location, statements, line):
        self.params = params
        self.temp_location = temp_location
        self.statements = statements
        self.line = line


class Primitive(Node):
    def __init__(self, number, args, line):
        self.number = number
        self.args = args
        self.line = line


class Return(Node):
    def __init__(self, expr, line):
        self.expr = expr
        self.line = line


# ------------------------------------------------------------------ parser

class Parser(object):
    """Parses one method; resolves names as it goes (like the image's
    Parser), so block scoping is handled here."""

    def __init__(self, text, inst_names, class_var_names, first_line=1,
                 global_exists=None):
        self.global_exists = global_exists or (lambda name: True)
        self.tokens = tokenize(text, first_line)
        self.pos = 0
        self.text = text
        self.inst_names = list(inst_names)
        self.class_var_names = list(class_var_names)
        self.arg_names = []
        self.temp_names = []    # blanked (None) when a block ends

    # tokens
    @property
    def tok(self):
        return self.tokens[self.pos]

    def peek(self, k=1):
        return self.tokens[min(self.pos + k, len(self.tokens) - 1)]

    def next(self):
        t = self.tokens[self.pos]
        if self.pos < len(self.tokens) - 1:
            self.pos += 1
        return t

    def error(self, msg, token=None):
        if token is None:
            token = self.tok
        raise CompileError(msg, token.line)

    def describe(self, t):
        if t.kind == 'eof':
            return "end of input"
        return repr(str(t.value))

    # names
    def add_arg(self, name, token):
        if name in self.inst_names or name in self.arg_names:
            self.error("doubly defined argument name %s" % name, token)
        self.arg_names.append(name)

    def add_temp(self, name, token):
        if (name in self.arg_names or name in self.inst_names or
                name in self.temp_names):
            self.error("doubly defined name %s" % name, token)
        self.temp_names.append(name)

    # grammar
    def parse_method(self):
        t = self.tok
        if t.kind == 'name':
            selector = t.value
            self.next()
        elif t.kind == 'binary':
            selector = t.value
            self.next()
            if self.tok.kind != 'name':
                self.error("missing argument name after %s" % selector)
            self.add_arg(self.tok.value, self.tok)
            self.next()
        elif t.kind == 'keyword':
            selector = ''
            while self.tok.kind == 'keyword':
                selector += self.tok.value
                self.next()
                if self.tok.kind != 'name':
                    self.error("missing argument name after %s" % selector)
                self.add_arg(self.tok.value, self.tok)
                self.next()
        else:
            self.error("invalid method header")
        if self.tok.kind == 'binary' and self.tok.value == '|':
            self.next()
            while self.tok.kind == 'name':
                self.add_temp(self.tok.value, self.tok)
                self.next()
            if not (self.tok.kind == 'binary' and self.tok.value == '|'):
                self.error("illegal method variable declaration")
            self.next()
        elif self.tok.kind == 'binary' and self.tok.value == '||':
            self.next()
        statements = self.parse_statements()
        if self.tok.kind != 'eof':
            self.error("unexpected %s" % self.describe(self.tok))
        return selector, statements

    def parse_statements(self):
        statements = []
        while True:
            t = self.tok
            if t.kind == 'eof' or t.is_special(']'):
                return statements
            if t.is_special('^'):
                self.next()
                statements.append(Return(self.parse_expression(), t.line))
            else:
                statements.append(self.parse_expression())
            if self.tok.is_special('.'):
                self.next()
            else:
                return statements

    def parse_expression(self):
        t = self.tok
        if t.kind == 'name' and self.peek().kind == 'assign':
            target = self.name_node(t.value, t)
            if target.kind not in ('temp', 'inst'):
                self.error("cannot assign to %s" % t.value)
            self.next()
            self.next()
            return Assign(target, self.parse_expression(), t.line)
        return self.parse_keyword(self.parse_term())

    def parse_keyword(self, receiver):
        receiver = self.parse_binary(receiver)
        if self.tok.kind != 'keyword':
            return receiver
        line = self.tok.line
        selector = ''
        args = []
        while self.tok.kind == 'keyword':
            selector += self.tok.value
            self.next()
            args.append(self.parse_binary(self.parse_term()))
        return Send(receiver, selector, args, line)

    def parse_binary(self, receiver):
        receiver = self.parse_unary(receiver)
        while self.tok.kind == 'binary':
            t = self.next()
            arg = self.parse_unary(self.parse_term())
            receiver = Send(receiver, t.value, [arg], t.line)
        return receiver

    def parse_unary(self, receiver):
        while self.tok.kind == 'name':
            t = self.next()
            receiver = Send(receiver, t.value, [], t.line)
        return receiver

    def parse_term(self):
        t = self.tok
        if t.kind == 'eof':
            self.error("unexpected end of input")
        if t.is_special('('):
            self.next()
            node = self.parse_expression()
            if not self.tok.is_special(')'):
                self.error("unbalanced parenthesis: expected ) but found %s"
                           % self.describe(self.tok))
            self.next()
            return node
        if t.is_special('['):
            return self.parse_block()
        if t.kind == 'binary' and t.value == '<' and self.peek().kind == 'int':
            return self.parse_primitive()
        if t.is_special('#'):
            return self.parse_array()
        if t.kind == 'name':
            self.next()
            return self.name_node(t.value, t)
        return self.parse_literal()

    def resolve(self, name, token=None):
        if name == 'self' or name == 'super':
            return 'arg', 0
        for i in range(len(self.temp_names)):
            if self.temp_names[i] == name:
                return 'temp', i
        if name in self.arg_names:
            return 'arg', self.arg_names.index(name) + 1
        if name in self.inst_names:
            return 'inst', self.inst_names.index(name)
        if name in self.class_var_names:
            return 'classvar', self.class_var_names.index(name)
        if name == 'nil':
            return 'const', CONST_NIL
        if name == 'true':
            return 'const', CONST_TRUE
        if name == 'false':
            return 'const', CONST_FALSE
        if not self.global_exists(name):
            self.error("undefined variable %s" % name, token)
        return 'global', name

    def name_node(self, name, token):
        kind, index = self.resolve(name, token)
        return Variable(name, kind, index, token.line)

    def parse_literal(self):
        t = self.tok
        if t.kind in ('int', 'string', 'char', 'float'):
            self.next()
            return Literal(t.kind, t.value, t.line)
        if (t.kind == 'binary' and t.value == '-' and
                self.peek().kind in ('int', 'float')):
            self.next()
            n = self.next()
            if n.kind == 'int':
                return Literal('int', -n.value, t.line)
            return Literal('float', '-' + n.value, t.line)
        self.error("invalid literal %s" % self.describe(t))

    def parse_block(self):
        start = self.next()
        location = len(self.temp_names)
        params = []
        if self.tok.is_special(':'):
            while self.tok.is_special(':'):
                self.next()
                if self.tok.kind != 'name':
                    self.error("invalid block argument list")
                self.add_temp(self.tok.value, self.tok)
                params.append(self.tok.value)
                self.next()
            if self.tok.kind == 'binary' and self.tok.value == '|':
                self.next()
            elif self.tok.kind == 'binary' and self.tok.value == '||':
                self.error("block temporaries are not supported")
            elif not self.tok.is_special(']'):
                self.error("invalid block argument list")
        elif self.tok.kind == 'binary' and self.tok.value in ('|', '||'):
            self.error("block temporaries are not supported")
        statements = self.parse_statements()
        if not self.tok.is_special(']'):
            self.error("unterminated block: expected ] but found %s"
                       % self.describe(self.tok))
        self.next()
        for i in range(location, len(self.temp_names)):
            self.temp_names[i] = None
        return Block(params, location, statements, start.line)

    def parse_primitive(self):
        start = self.next()
        number = self.next().value
        if number > 255:
            self.error("primitive number %d out of range" % number, start)
        args = []
        while not (self.tok.kind == 'binary' and self.tok.value == '>'):
            if self.tok.kind == 'eof':
                self.error("unterminated primitive", start)
            args.append(self.parse_term())
        self.next()
        return Primitive(number, args, start.line)

    def parse_array(self):
        start = self.next()
        if not self.tok.is_special('('):
            self.error("symbols are not supported (only #( ... ) arrays)")
        self.next()
        elements = []
        while not self.tok.is_special(')'):
            if self.tok.kind == 'eof':
                self.error("unterminated array literal", start)
            elements.append(self.parse_term())
        self.next()
        return Primitive(36, elements, start.line)


# ----------------------------------------------------------- code generator

class Encoder(object):
    def __init__(self):
        self.code = []
        self.literals = []      # ('int', n) ('string', s) ('char', c)
        self.depth = 0          # ('float', text) ('global', name)
        self.max_depth = 0

    def gen(self, high, low):
        if low < 16:
            self.code.append(high * 16 + low)
        else:
            if low > 255:
                raise CompileError("operand %d too large" % low)
            self.code.append(high)
            self.code.append(low)

    def byte(self, b):
        if b > 255:
            raise CompileError("method too long: jump target or literal "
                               "index %d beyond 255" % b)
        self.code.append(b)

    def push(self, n=1):
        self.depth += n
        if self.depth > self.max_depth:
            self.max_depth = self.depth

    def pop(self, n=1):
        self.depth -= n

    def literal(self, lit):
        self.literals.append(lit)
        return len(self.literals) - 1

    def location(self):
        return len(self.code)


class CodeGenerator(object):
    def __init__(self, parser):
        self.parser = parser
        self.e = Encoder()
        self.temp_count = 0

    def compile_method(self):
        parser = self.parser
        selector, statements = parser.parse_method()
        e = self.e
        for s in statements:
            self.statement(s, False)
            e.gen(DO_SPECIAL, POP_TOP)
            e.pop()
        e.gen(DO_SPECIAL, SELF_RETURN)
        self.temp_count = len(parser.temp_names)
        return selector

    def statement(self, node, in_block):
        if isinstance(node, Return):
            self.expression(node.expr, in_block)
            if in_block:
                self.e.gen(DO_SPECIAL, BLOCK_RETURN)
            else:
                self.e.gen(DO_SPECIAL, STACK_RETURN)
        else:
            self.expression(node, in_block)

    def error(self, msg, node):
        raise CompileError(msg, node.line)

    def expression(self, node, b):
        e = self.e
        if isinstance(node, Literal):
            self.literal(node)
        elif isinstance(node, Variable):
            self.variable(node)
        elif isinstance(node, Assign):
            self.expression(node.expr, b)
            if node.target.kind == 'temp':
                e.gen(ASSIGN_TEMPORARY, node.target.index)
            else:
                e.gen(ASSIGN_INSTANCE, node.target.index)
        elif isinstance(node, Send):
            self.send(node, b)
        elif isinstance(node, Block):
            self.block(node)
        elif isinstance(node, Primitive):
            for a in node.args:
                self.expression(a, b)
            e.gen(DO_PRIMITIVE, len(node.args))
            e.byte(node.number)
            e.pop(len(node.args))
            e.push()
        elif isinstance(node, Return):
            self.error("unexpected ^", node)
        else:
            raise AssertionError(node)

    def literal(self, node):
        e = self.e
        if node.kind == 'int' and 0 <= node.value <= 9:
            e.gen(PUSH_CONSTANT, node.value)
        else:
            e.gen(PUSH_LITERAL, e.literal((node.kind, node.value)))
        e.push()

    def variable(self, node):
        e = self.e
        kind = node.kind
        index = node.index
        if kind == 'arg':
            e.gen(PUSH_ARGUMENT, index)
        elif kind == 'temp':
            e.gen(PUSH_TEMPORARY, index)
        elif kind == 'inst':
            e.gen(PUSH_INSTANCE, index)
        elif kind == 'classvar':
            e.gen(PUSH_CLASS_VARIABLE, index)
        elif kind == 'const':
            e.gen(PUSH_CONSTANT, index)
        else:
            e.gen(PUSH_LITERAL, e.literal(('global', index)))
        e.push()

    def is_inline_block(self, node, nparams=0):
        return isinstance(node, Block) and len(node.params) == nparams

    def send(self, node, b):
        e = self.e
        sel = node.selector
        rcv = node.receiver
        is_super = isinstance(rcv, Variable) and rcv.name == 'super'
        if not is_super:
            if sel in BINARY_SPECIAL:
                self.expression(rcv, b)
                self.expression(node.args[0], b)
                e.gen(SEND_BINARY, BINARY_SPECIAL[sel])
                e.pop()
                return
            if sel in UNARY_SPECIAL:
                self.expression(rcv, b)
                e.gen(SEND_UNARY, UNARY_SPECIAL[sel])
                return
            if self.inline(node, b):
                return
        self.expression(rcv, b)
        for a in node.args:
            self.expression(a, b)
        e.gen(MARK_ARGUMENTS, len(node.args) + 1)
        e.pop(len(node.args))
        if is_super:
            e.gen(DO_SPECIAL, SEND_TO_SUPER)
            e.byte(e.literal(('string', sel)))
        else:
            e.gen(SEND_MESSAGE, e.literal(('string', sel)))

    def inline_body(self, block, b):
        """The statements of a literal block, in line; leaves one value."""
        e = self.e
        if not block.statements:
            e.gen(PUSH_CONSTANT, CONST_NIL)
            e.push()
            return
        for i, s in enumerate(block.statements):
            if i > 0:
                e.gen(DO_SPECIAL, POP_TOP)
                e.pop()
            self.statement(s, b)

    def branch(self, code):
        e = self.e
        e.gen(DO_SPECIAL, code)
        at = len(e.code)
        e.code.append(0)
        return at

    def patch(self, at):
        target = len(self.e.code)
        if target > 255:
            raise CompileError("method too long: jump target %d beyond "
                               "byte 255" % target)
        self.e.code[at] = target

    def inline(self, node, b):
        e = self.e
        sel = node.selector
        args = node.args
        if sel in ('ifTrue:', 'ifFalse:', 'and:', 'or:'):
            if not self.is_inline_block(args[0]):
                return False
            self.expression(node.receiver, b)
            cond = BRANCH_IF_FALSE if sel in ('ifTrue:', 'and:') else BRANCH_IF_TRUE
            at = self.branch(cond)
            e.pop()
            self.inline_body(args[0], b)
            end = self.branch(BRANCH)
            self.patch(at)
            e.pop()
            if sel == 'and:':
                e.gen(PUSH_CONSTANT, CONST_FALSE)
            elif sel == 'or:':
                e.gen(PUSH_CONSTANT, CONST_TRUE)
            else:
                e.gen(PUSH_CONSTANT, CONST_NIL)
            e.push()
            self.patch(end)
            return True
        if sel == 'ifTrue:ifFalse:':
            if not (self.is_inline_block(args[0]) and
                    self.is_inline_block(args[1])):
                return False
            self.expression(node.receiver, b)
            at = self.branch(BRANCH_IF_FALSE)
            e.pop()
            self.inline_body(args[0], b)
            end = self.branch(BRANCH)
            self.patch(at)
            e.pop()
            self.inline_body(args[1], b)
            self.patch(end)
            return True
        if sel in ('whileTrue:', 'whileFalse:'):
            if not (self.is_inline_block(node.receiver) and
                    self.is_inline_block(args[0])):
                return False
            start = len(e.code)
            self.inline_body(node.receiver, b)
            cond = BRANCH_IF_FALSE if sel == 'whileTrue:' else BRANCH_IF_TRUE
            at = self.branch(cond)
            e.pop()
            self.inline_body(args[0], b)
            e.gen(DO_SPECIAL, POP_TOP)
            e.pop()
            e.gen(DO_SPECIAL, BRANCH)
            e.byte(start)
            self.patch(at)
            e.gen(PUSH_CONSTANT, CONST_NIL)
            e.push()
            return True
        return False

    def block(self, node):
        e = self.e
        e.gen(PUSH_BLOCK, node.temp_location)
        at = len(e.code)
        e.code.append(0)
        saved = e.depth
        e.depth = 0
        if not node.statements:
            e.gen(PUSH_CONSTANT, CONST_NIL)
            e.push()
        for i, s in enumerate(node.statements):
            if i > 0:
                e.gen(DO_SPECIAL, POP_TOP)
                e.pop()
            self.statement(s, True)
        e.gen(DO_SPECIAL, STACK_RETURN)
        e.depth = saved
        self.patch(at)
        e.push()


class CompiledMethod(object):
    def __init__(self, selector, code, literals, stack_size, temp_size, text):
        self.selector = selector
        self.code = code
        self.literals = literals
        self.stack_size = stack_size
        self.temp_size = temp_size
        self.text = text

    def bytes(self):
        return "".join(chr(b) for b in self.code)


def compile_method(text, inst_names=(), class_var_names=(),
                   global_exists=None, first_line=1):
    """Compile one method source; answer a CompiledMethod.

    Raises CompileError (with a line number counted from first_line)."""
    parser = Parser(text, inst_names, class_var_names, first_line,
                    global_exists)
    gen = CodeGenerator(parser)
    selector = gen.compile_method()
    e = gen.e
    return CompiledMethod(selector, e.code, e.literals, e.max_depth,
                          gen.temp_count, text)
