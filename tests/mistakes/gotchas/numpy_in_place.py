"""NumPy fancy assignment on a view of the input: read-only for JAX inputs, and it edits a NumPy caller's array."""
TASK = "gotchas.swap_rows"
EXPECT = "ValueError"

import numpy as np


def swap_rows(x, i, j):
    x = np.asarray(x)
    x[[i, j]] = x[[j, i]]
    return jnp.asarray(x)
