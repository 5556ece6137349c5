"""Clipping invalid indices into range: they are counted in the first or last bin."""
TASK = "gotchas.bincount"
EXPECT = "`flat`"

def bincount(idx, length):
    return jnp.zeros(length, jnp.int32).at[jnp.clip(jnp.ravel(idx), 0, length - 1)].add(1)
