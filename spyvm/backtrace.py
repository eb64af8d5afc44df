"""VM-made backtraces, in the image's own format (spec 5.7):
one `selector[ReceiverClass,Arg1Class,]` line per context, outwards."""

from spyvm.context import W_Context

HEAD_LINES = 20
TAIL_LINES = 10


def context_line(space, ctx):
    parts = [ctx.code.selector, "["]
    for w_arg in ctx.arguments(space):
        parts.append(space.class_name(w_arg.getclass(space)))
        parts.append(",")
    parts.append("]")
    return "".join(parts)


def format_backtrace(space, w_ctx):
    contexts = []
    while isinstance(w_ctx, W_Context):
        contexts.append(w_ctx)
        w_ctx = w_ctx.w_previous
    lines = []
    n = len(contexts)
    for i in range(n):
        if i < HEAD_LINES or i >= n - TAIL_LINES:
            lines.append(context_line(space, contexts[i]))
        elif i == HEAD_LINES:
            lines.append("... %d more contexts ..."
                         % (n - HEAD_LINES - TAIL_LINES))
    return "\n".join(lines) + "\n"
