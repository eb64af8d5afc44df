"""Hostile file-ins (spec 5.4) and REPL input.

Each generator takes a random.Random and answers (bytes, description).
They aim at the fileIn reader and the image's compiler: broken METHOD and
EVAL chunks, unknown classes, a missing `!`, CRLF, binary garbage, 1 MB
lines, a 10 MB file, deep nesting, and sends and primitives with wrong
arguments.  Nothing here may save an image or write outside the current
directory (the runner's scratch directory): primitives 29/116 and the
selectors that reach them are never generated.
"""

ANIMAL = """EVAL Class addNewClass: (Object subclass: 'Animal' variables: 'name' classVariables: 'Count')
EVAL Class addNewClass: (Animal subclass: 'Dog' variables: '' classVariables: '')
META Animal
named: aName
  Count isNil ifTrue: [ Count <- 0 ].
  Count <- Count + 1.
  ^ self new setName: aName
!
METHOD Animal
setName: aName
  name <- aName
!
METHOD Animal
speak
  ^ name + ' says ' + self sound
!
METHOD Animal
sound
  ^ 'generic noise'
!
METHOD Dog
sound
  ^ 'Woof (' + super sound + ')'
!
EVAL Transcript show: (Dog named: 'Rex') speak
EVAL [ Transcript show: 'one'. Transcript show: 'two' ] value
"""

METHODS = [
    ("SmallInt", "double\n  ^ self * 2"),
    ("SmallInt", "sumTo: n\n  | s |\n  s <- 0.\n  self to: n do: [:i | s <- s + i ].\n  ^ s"),
    ("Object", "fuzzSelf\n  ^ self"),
    ("Object", "fuzzPair: a with: b\n  ^ Array with: a with: b"),
    ("String", "shout\n  ^ self + '!'"),
    ("Array", "fuzzSum\n  | s |\n  s <- 0.\n  self do: [:x | s <- s + x ].\n  ^ s"),
    ("SmallInt", "fuzzFact\n  self < 2 ifTrue: [ ^ 1 ].\n  ^ self * (self - 1) fuzzFact"),
    ("Object", "fuzzBlock\n  ^ [:x | x + 1 ] value: 41"),
]
EXPRS = [
    "3 + 4", "100 factorial printString size", "'abc' + 'def'",
    "#(3 1 2) printString", "(Array new: 3) printString", "7 double",
    "1 sumTo: 10", "nil fuzzSelf", "'hi' shout", "#(1 2 3) fuzzSum",
    "20 fuzzFact", "nil fuzzBlock", "3 fuzzPair: 4 with: 5",
    "[:x | x * x ] value: 12", "(3 > 2) printString", "$a printString",
    "Object name", "3 class printString", "(1 / 3) printString",
    "2 raisedTo: 64",
]
SELECTORS = [
    "printString", "size", "class", "isNil", "notNil", "value", "new",
    "name", "first", "last", "reverse", "asArray", "asString", "negated",
    "abs", "yourself", "hash", "factorial", "isEmpty", "asList", "sqrt",
    "methods", "instanceVariables", "parentClass", "superclass", "asFloat",
    "truncated", "printString:", "at:", "at:put:", "new:", "value:",
    "value:value:", "+", "-", "*", "/", "//", "\\\\", "=", "==", "<", ">",
    "<=", "max:", "min:", "gcd:", "raisedTo:", "bitAnd:", "bitShift:",
    "copyFrom:to:", "indexOf:", "includes:", "with:", "with:with:",
    "collect:", "select:", "inject:into:", "detect:", "do:", "add:",
    "removeFirst", "addFirst:", "compileMethod:", "respondsTo:",
    "doesNotUnderstand:", "error:", "perform:", "perform:withArguments:",
    "in:at:", "in:at:put:", "in:add:", "asSymbol", "fuzzNoSuchSelector",
    "subclass:", "addNewClass:", "removeClass:", "edit", "fileOut",
]
RECEIVERS = [
    "nil", "true", "3", "-7", "0", "1073741823", "1073741824",
    "2147483647", "-2147483648", "4611686018427387904",
    "9223372036854775807", "'abc'", "''", "$a", "#(1 2 3)", "#()",
    "Object", "Array", "String", "SmallInt", "Class", "Context", "Block",
    "Method", "Transcript", "SmallWorld", "Parser", "Object new",
    "(Array new: 3)", "[:x | x]", "[ 3 ]", "Context current", "3.5",
    "(1 / 3)", "(2 raisedTo: 100)", "(Object methods at: 1)",
    "(SmallInt methods at: 1)", "Object class", "nil class",
]
# primitives a hostile program may call directly (no image save, no exit,
# no sleep, no files, no semaphores); plus numbers no VM defines
PRIMITIVES = [1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 18, 20, 21,
              22, 23, 24, 26, 30, 31, 32, 34, 35, 36, 50, 51, 52, 53, 54,
              55, 56, 57, 58, 59, 80, 81, 82, 83, 89, 0, 9, 99, 127,
              128, 255]
PUNCT = list("[](){}<>^.:;|'\"#$!-+*/\\=~,@%&?`") + ["<-", ":=", "''", "#(",
                                                   "[:", "^^", "!!"]
NEVER = (b"exportImage", b"saveImage", b"<29", b"<116", b"<117", b"<33",
         b"<19", b"<41", b"<42", b"<43", b"<44", b"<100", b"<101", b"<102",
         b"fileIn", b"openRead", b"openWrite", b"quit")


def st_file(chunks):
    return "".join(chunks).encode("latin-1")


def method_chunk(cls, body, meta=False):
    return "%s %s\n%s\n!\n" % ("META" if meta else "METHOD", cls, body)


def valid_file(rng):
    """A valid file-in: the Animal example or a few methods and EVALs."""
    if rng.random() < 0.3:
        return ANIMAL
    chunks = []
    for cls, body in rng.sample(METHODS, rng.randint(1, len(METHODS))):
        chunks.append(method_chunk(cls, body))
    for expr in rng.sample(EXPRS, rng.randint(1, 5)):
        chunks.append("EVAL Transcript show: (%s) printString\n" % expr)
    return "".join(chunks)


def damage_text(rng, text):
    """Token-level damage: delete, insert punctuation, duplicate, cut."""
    text = list(text)
    for _ in range(rng.randint(1, 3)):
        how = rng.random()
        i = rng.randint(0, len(text))
        if how < 0.35 and text:
            del text[min(i, len(text) - 1):i + rng.randint(1, 3)]
        elif how < 0.7:
            text[i:i] = list(rng.choice(PUNCT))
        elif how < 0.85:
            j = rng.randint(i, min(len(text), i + 10))
            text[i:i] = text[i:j]
        else:
            del text[i:]
    return "".join(text)


def random_expr(rng, depth=0):
    """A send of a known or unknown selector with hostile arguments."""
    if depth > 2 or rng.random() < 0.3:
        return rng.choice(RECEIVERS)
    if rng.random() < 0.12:
        return primitive_expr(rng)
    sel = rng.choice(SELECTORS)
    recv = random_expr(rng, depth + 1)
    if ":" not in sel and not sel[0] in "+-*/\\=<>":
        return "(%s %s)" % (recv, sel)
    if sel[0] in "+-*/\\=<>":
        return "(%s %s %s)" % (recv, sel, random_expr(rng, depth + 1))
    parts = [p for p in sel.split(":") if p]
    args = " ".join("%s: %s" % (p, random_expr(rng, depth + 1)) for p in parts)
    return "(%s %s)" % (recv, args)


def primitive_expr(rng):
    n = rng.choice(PRIMITIVES)
    args = " ".join(rng.choice(RECEIVERS) for _ in range(rng.randint(0, 4)))
    return "<%d %s>" % (n, args)


def surgery_expr(rng):
    """Write a hostile value into an object's slot, then use the object."""
    target = rng.choice(["(Object methods at: 1)", "(SmallInt methods at: 1)",
                         "Object", "SmallInt", "Context current",
                         "Transcript", "(Array new: 2)", "[:x | x ]",
                         "'abc'", "Object new"])
    index = rng.choice([0, -1, 1, 2, 3, 4, 5, 6, 7, 8, 11, 100, 2147483647])
    value = rng.choice(["nil", "0", "-1", "100000000000", "2147483647",
                        "'x'", "Object", "#()", "(Array new: 1)", "3.5",
                        "[ nil ]"])
    use = rng.choice(["printString", "class", "size", "new", "value",
                      "methods size", "name", "yourself"])
    return ("[:o | Object in: o at: %d put: %s. o %s ] value: %s"
            % (index, value, use, target))


def eval_lines(rng, count):
    out = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            out.append("EVAL Transcript show: %s printString\n"
                       % random_expr(rng))
        elif kind < 0.7:
            out.append("EVAL %s\n" % surgery_expr(rng))
        else:
            out.append("EVAL Transcript show: (%s) printString\n"
                       % rng.choice(EXPRS))
    return out


# ------------------------------------------------------------ .st kinds

def st_method_syntax(rng):
    cls, body = rng.choice(METHODS)
    bad = damage_text(rng, body)
    text = valid_file(rng) if rng.random() < 0.5 else ""
    text += method_chunk(cls, bad, meta=rng.random() < 0.2)
    text += "EVAL Transcript show: 'after'\n"
    return st_file([text]), "METHOD %s with damaged body %r" % (cls, bad[:60])


def st_eval_syntax(rng):
    expr = damage_text(rng, rng.choice(EXPRS))
    chunks = [valid_file(rng) if rng.random() < 0.3 else "",
              "EVAL %s\n" % expr, "EVAL Transcript show: 'after'\n"]
    return st_file(chunks), "EVAL with damaged expression %r" % expr


def st_unknown_class(rng):
    name = rng.choice(["NoSuchClass", "", " ", "Object ", " Object",
                       "object", "Meta", "MetaObject", "nil", "3", "Object!",
                       "Transcript show: 3", "Obj\x00ect", "ÿÿÿ",
                       "A" * 1000])
    kind = rng.choice(["METHOD", "META"])
    chunks = ["%s %s\nfoo\n  ^ 1\n!\n" % (kind, name)]
    if rng.random() < 0.5:
        chunks.append("EVAL %s new printString\n" % name)
    chunks.append("EVAL Transcript show: 'after'\n")
    return st_file(chunks), "%s on unknown class %r" % (kind, name[:30])


def st_missing_bang(rng):
    cls, body = rng.choice(METHODS)
    ending = rng.choice(["", "! ", " !", "!!", "\t!", "!\r", "! EVAL 3",
                         "\n\n\n"])
    chunks = [valid_file(rng) if rng.random() < 0.3 else "",
              "METHOD %s\n%s\n%s" % (cls, body, ending)]
    if rng.random() < 0.5:
        chunks.append("\nEVAL Transcript show: 'after'\n")
    return st_file(chunks), "METHOD %s chunk ended by %r" % (cls, ending)


def st_line_ends(rng):
    text = valid_file(rng)
    how = rng.choice(["crlf", "cr", "mixed", "lfcr", "none-at-end"])
    if how == "crlf":
        text = text.replace("\n", "\r\n")
    elif how == "cr":
        text = text.replace("\n", "\r")
    elif how == "lfcr":
        text = text.replace("\n", "\n\r")
    elif how == "mixed":
        text = "".join(c + ("\r" if c == "\n" and rng.random() < 0.5 else "")
                       for c in text)
        text = text.replace("\n\r", "\r\n")
    else:
        text = text.rstrip("\n")
    return st_file([text]), "valid file with %s line ends" % how


def st_garbage(rng):
    n = rng.choice([1, 10, 100, 1000, 10000, 100000])
    junk = rng.getrandbits(8 * n).to_bytes(n, "big")
    how = rng.choice(["pure", "in-method", "in-eval", "after-keyword", "nul"])
    if how == "pure":
        data = junk
    elif how == "in-method":
        data = ("METHOD Object\nfuzzJunk\n  ^ 1\n").encode() + junk + b"\n!\n"
    elif how == "in-eval":
        data = b"EVAL " + junk.replace(b"\n", b" ") + b"\n"
    elif how == "after-keyword":
        data = rng.choice([b"METHOD ", b"META ", b"EVAL"]) + junk
    else:
        data = b"EVAL Transcript show: 'a\x00b'\nEVAL 3 +\x00 4\n\x00\x00\n"
    return (data + b"\nEVAL Transcript show: 'after'\n",
            "binary garbage (%s, %d bytes)" % (how, n))


MB = 1024 * 1024


def st_long_line(rng):
    how = rng.choice(["string", "comment", "identifier", "number",
                      "parens", "blocks", "selector", "ignored", "no-newline",
                      "array", "method-body"])
    if how == "string":
        line = "EVAL Transcript show: ('" + "x" * MB + "') size printString"
    elif how == "comment":
        line = 'EVAL 3 "' + "c" * MB + '"'
    elif how == "identifier":
        line = "EVAL " + "a" * MB
    elif how == "number":
        line = "EVAL Transcript show: (" + "9" * rng.choice([1000, MB]) + \
               ") printString size printString"
    elif how == "parens":
        n = rng.choice([1000, 100000, MB // 2])
        line = "EVAL " + "(" * n + "3" + ")" * n
    elif how == "blocks":
        n = rng.choice([1000, 100000, MB // 2])
        line = "EVAL " + "[" * n + "3" + "]" * n
    elif how == "selector":
        line = "EVAL 3 " + "foo:" * (MB // 8) + " 4"
    elif how == "ignored":
        line = "x" * MB
    elif how == "no-newline":
        return ("EVAL Transcript show: 'ok'\n" + "y" * MB).encode(), \
            "long line (1 MB last line without LF)"
    elif how == "array":
        line = "EVAL Transcript show: #(" + "1 " * (MB // 2) + ") size printString"
    else:
        line = "METHOD Object\nfuzzLong\n  ^ '" + "z" * MB + "' size\n!\n" \
               "EVAL Transcript show: nil fuzzLong printString"
    return (line + "\nEVAL Transcript show: 'after'\n").encode(), \
        "long line (%s, %d bytes)" % (how, len(line))


def st_big_file(rng):
    how = rng.choice(["comments", "one-line", "blank", "method"])
    size = 10 * MB
    if how == "comments":
        unit = '"a comment line that the fileIn reader ignores"\n'
        body = unit * (size // len(unit))
    elif how == "one-line":
        body = "q" * size + "\n"
    elif how == "blank":
        body = "\n" * size
    else:
        body = "METHOD Object\nfuzzBig\n" + "  nil.\n" * (size // 7) + "!\n"
    return (body + "EVAL Transcript show: 'after'\n").encode(), \
        "10 MB file (%s)" % how


def st_random_program(rng):
    chunks = [valid_file(rng) if rng.random() < 0.4 else ""]
    chunks.extend(eval_lines(rng, rng.randint(1, 8)))
    chunks.append("EVAL Transcript show: 'after'\n")
    return st_file(chunks), "random sends / primitives / slot surgery"


ST_KINDS = [
    (st_method_syntax, 5), (st_eval_syntax, 4), (st_unknown_class, 2),
    (st_missing_bang, 2), (st_line_ends, 2), (st_garbage, 3),
    (st_long_line, 1), (st_big_file, 1), (st_random_program, 8),
]


def hostile_st(rng, big=True):
    """One hostile file-in; `big=False` leaves out the 1 MB / 10 MB kinds
    (for the quick CI slice)."""
    kinds = [k for k, w in ST_KINDS for _ in range(w)
             if big or k not in (st_long_line, st_big_file)]
    data, note = rng.choice(kinds)(rng)
    return safe(data), note


def safe(data):
    for word in NEVER:
        data = data.replace(word, b"fuzzNever")
    return data


# ------------------------------------------------------------ REPL

def repl_line(rng):
    kind = rng.random()
    if kind < 0.3:
        return random_expr(rng)
    if kind < 0.45:
        return damage_text(rng, rng.choice(EXPRS))
    if kind < 0.55:
        return surgery_expr(rng)
    if kind < 0.65:
        return rng.choice(["^ 3", "1 ] value. [ 2", "!", "EVAL 3",
                           "METHOD Object", "'unterminated", '"comment',
                           "#(", "[", "]", ")", "3 +", "| t | t",
                           "x <- 3", "thisContext", "super foo",
                           "self", "[:x | ] value: 1", "#(1 2 #(3))",
                           "$", "16r1F", "1e10", "2 ** 3", "3 foo: 4 bar: 5"])
    if kind < 0.75:
        return "".join(chr(rng.randrange(1, 256)) for _ in
                       range(rng.randint(1, 40))).replace("\n", " ")
    return rng.choice(EXPRS)


def hostile_repl(rng, big=True):
    how = rng.random()
    lines = [repl_line(rng) for _ in range(rng.randint(1, 30))]
    note = "%d hostile lines" % len(lines)
    end = "\n"
    if how < 0.15:
        end = "\r\n"
        note += " with CRLF"
    elif how < 0.2 and big:
        lines.insert(rng.randrange(len(lines) + 1),
                     rng.choice(["'" + "x" * MB + "' size", "x" * MB,
                                 "(" * 100000 + "3" + ")" * 100000]))
        note += " and a 1 MB line"
    elif how < 0.25 and big:
        lines = lines * (3000 // len(lines) + 1)
        note = "%d hostile lines (repeated)" % len(lines)
    elif how < 0.3:
        lines.append("3 + 4")
        end = rng.choice(["\x00", "\r", ""])
        note += " joined by %r" % end
    data = end.join(lines).encode("latin-1") + b"\n"
    if rng.random() < 0.2:
        data = data.rstrip(b"\n")
    return safe(data), note
