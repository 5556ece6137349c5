"""Reading the second row from the already-updated array."""
TASK = "gotchas.swap_rows"
EXPECT = "are identical"


def swap_rows(x, i, j):
    x = jnp.asarray(x)
    x = x.at[i].set(x[j])
    return x.at[j].set(x[i])
