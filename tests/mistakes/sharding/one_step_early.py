"""The reduce-scatter stops one step early: every summed chunk misses one device's contribution."""
TASK = "sharding.ring_all_reduce"
EXPECT = "stopped one step early"


def ring_all_reduce(x, axis_name):
    n, me = lax.axis_size(axis_name), lax.axis_index(axis_name)
    chunks = x.reshape(n, -1)
    ring = [(i, (i + 1) % n) for i in range(n)]
    partial = chunks[me]
    for step in range(1, n - 1):
        partial = lax.ppermute(partial, axis_name, ring) + chunks[(me - step) % n]
    owned = (me + 2) % n  # where it would be after n - 2 steps
    summed = jnp.zeros_like(chunks).at[owned].set(partial)
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring)
        summed = summed.at[(owned - step) % n].set(partial)
    return summed.reshape(x.shape)
