"""Deterministic randomness: a case's generator is seeded from its id.

`random.Random` seeded with a str hashes it with SHA-512 (version 2
seeding), which is the same on every machine and Python 3 version, so
`FAMILY/SEED/N` always gives the same input.
"""

import random


def case_id(family, seed, number):
    return "%s/%d/%d" % (family, seed, number)


def parse_case_id(text):
    family, seed, number = text.rsplit("/", 2)
    return family, int(seed), int(number)


def case_rng(family, seed, number):
    return random.Random("spy-fuzz:" + case_id(family, seed, number))
