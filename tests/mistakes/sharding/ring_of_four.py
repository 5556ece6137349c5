"""The ring's pairs written out for 4 devices: on any other number of devices the permutation is wrong."""
TASK = "sharding.ring_all_reduce"
EXPECT = "Permutation doesn't match the axis size"


def ring_all_reduce(x, axis_name):
    n, me = lax.axis_size(axis_name), lax.axis_index(axis_name)
    chunks = x.reshape(n, -1)
    ring = [(0, 1), (1, 2), (2, 3), (3, 0)]
    partial = chunks[me]
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring) + chunks[(me - step) % n]
    summed = jnp.zeros_like(chunks).at[(me + 1) % n].set(partial)
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring)
        summed = summed.at[(me + 1 - step) % n].set(partial)
    return summed.reshape(x.shape)
