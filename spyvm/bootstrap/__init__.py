"""Bootstrap builder for spy's own default image (plain Python 2, not RPython).

`python -m spyvm.bootstrap images/spy.image` reads the class library in
images/source/*.st, compiles every method with the compiler in
spyvm/bootstrap/compiler.py (the same bytecode style as SmallWorld's own
compiler, spec 3.8) and writes the image with spyvm.image_writer.
"""
