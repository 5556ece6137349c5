"""Relying on scatter's drop for out-of-range indices: negative ones wrap to the end."""
TASK = "gotchas.bincount"
EXPECT = "`flat`"


def bincount(idx, length):
    return jnp.zeros(length, jnp.int32).at[jnp.ravel(idx)].add(1, mode="drop")
