"""Calling .at[].set without using the array it returns."""
TASK = "gotchas.swap_rows"
EXPECT = "returned x unchanged"


def swap_rows(x, i, j):
    x = jnp.asarray(x)
    row_i, row_j = x[i], x[j]
    x.at[i].set(row_j)
    x.at[j].set(row_i)
    return x
