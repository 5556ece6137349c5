"""Counting into a float array."""
TASK = "gotchas.bincount"
EXPECT = "dtype float32, expected int32"

def bincount(idx, length):
    idx = jnp.ravel(idx)
    safe = jnp.where((idx >= 0) & (idx < length), idx, length)
    return jnp.zeros(length).at[safe].add(1, mode="drop")
