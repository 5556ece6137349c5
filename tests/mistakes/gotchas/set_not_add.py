"""set(1) where duplicates must accumulate."""
TASK = "gotchas.bincount"
EXPECT = "`flat`"


def bincount(idx, length):
    idx = jnp.ravel(idx)
    safe = jnp.where((idx >= 0) & (idx < length), idx, length)
    return jnp.zeros(length, jnp.int32).at[safe].set(1, mode="drop")
