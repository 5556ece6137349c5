"""Only the reduce-scatter: each device returns its one summed chunk, the other chunks as they were."""
TASK = "sharding.ring_all_reduce"
EXPECT = "the all-gather that passes the summed chunks on is missing"


def ring_all_reduce(x, axis_name):
    n, me = lax.axis_size(axis_name), lax.axis_index(axis_name)
    chunks = x.reshape(n, -1)
    ring = [(i, (i + 1) % n) for i in range(n)]
    partial = chunks[me]
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, ring) + chunks[(me - step) % n]
    return chunks.at[(me + 1) % n].set(partial).reshape(x.shape)
