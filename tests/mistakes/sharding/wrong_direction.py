"""Messages sent to the previous device while the chunks are counted as if they came from the previous one."""
TASK = "sharding.ring_all_reduce"
EXPECT = "(against lax.psum)"


def ring_all_reduce(x, axis_name):
    n, me = lax.axis_size(axis_name), lax.axis_index(axis_name)
    chunks = x.reshape(n, -1)
    ring = [(i, (i - 1) % n) for i in range(n)]
    partial = chunks[me]
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring) + chunks[(me - step) % n]
    summed = jnp.zeros_like(chunks).at[(me + 1) % n].set(partial)
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring)
        summed = summed.at[(me + 1 - step) % n].set(partial)
    return summed.reshape(x.shape)
