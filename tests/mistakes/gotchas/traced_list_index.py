"""Swapping positions in a Python list: traced indices cannot index a list under jit."""
TASK = "gotchas.swap_rows"
EXPECT = "TracerIntegerConversionError"

def swap_rows(x, i, j):
    order = list(range(x.shape[0]))
    order[i], order[j] = order[j], order[i]
    return jnp.asarray(x)[jnp.array(order)]
