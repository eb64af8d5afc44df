"""A fuzzing campaign for spy (issue 9, item 4).

Every case is named `FAMILY/SEED/N` and its input is generated from that
name alone (`seeds.case_rng`), so `python3 -m tools.fuzz repro ID`
rebuilds and reruns it anywhere.  Modules:

  imagefile   read/write image records (spec section 1)
  imagemut    structural and raw mutants of an image
  stgen       hostile .st file-ins and REPL input
  cases       case families: an id -> files, argv, stdin
  runner      one run under time/address-space limits, classified
  campaign    many cases on both binaries, results as JSON lines
  report      counts and failing cases as Markdown
"""
