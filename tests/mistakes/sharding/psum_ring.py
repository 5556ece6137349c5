"""lax.psum itself: right numbers, no ring."""
TASK = "sharding.ring_all_reduce"
EXPECT = "build the sum from lax.ppermute alone"


def ring_all_reduce(x, axis_name):
    return lax.psum(x, axis_name)
