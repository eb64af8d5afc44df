"""python -m spyvm.bootstrap [IMAGE] [--source DIR]"""

import sys

from spyvm.bootstrap.builder import build_image, DEFAULT_SOURCE_DIR
from spyvm.bootstrap.compiler import CompileError


def main(argv):
    path = 'images/spy.image'
    source = DEFAULT_SOURCE_DIR
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == '--source' and args:
            source = args.pop(0)
        elif a in ('-h', '--help'):
            sys.stdout.write(__doc__ + '\n')
            return 0
        else:
            path = a
    try:
        builder = build_image(path, source)
    except CompileError as e:
        sys.stderr.write("bootstrap: %s\n" % e)
        return 1
    sys.stdout.write("wrote %s: %d classes, %d methods\n"
                     % (path, len(builder.classdefs), len(builder.compiled)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
