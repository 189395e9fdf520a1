"""order.py: the order in which an interleaved bench runs its variants.

Shuffled, seeded by the iteration (and the command), so every run of a
script uses the same orders. Not rotated: under rotation each variant
always follows the same one and inherits the tail of its teardown (RCU
grace periods, cgroup removal, freed pages): in bench/vm-v2.sh that made
two builds of the same code differ by 1.0-1.4x. Run as a script, it
prints the order of its arguments for iteration ITER:
    python3 order.py ITER NAME...
"""
import random
import sys


def shuffled(names, *seed):
    """A copy of NAMES in the order for SEED (the iteration, the command...)."""
    order = list(names)
    random.Random(":".join(str(s) for s in seed)).shuffle(order)
    return order


if __name__ == "__main__":
    print(" ".join(shuffled(sys.argv[2:], sys.argv[1])))
