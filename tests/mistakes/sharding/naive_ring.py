"""The naive ring: the whole vector passed around n - 1 times (n - 1 times the traffic of the chunked ring)."""
TASK = "sharding.ring_all_reduce"
EXPECT = "not the whole vector"


def ring_all_reduce(x, axis_name):
    n = lax.axis_size(axis_name)
    total, moving = x, x
    for _ in range(n - 1):
        moving = lax.ppermute(moving, axis_name, [(i, (i + 1) % n) for i in range(n)])
        total = total + moving
    return total
