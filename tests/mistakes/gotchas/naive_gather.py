"""Plain indexing: JAX clamps out-of-bounds reads instead of raising."""
TASK = "gotchas.safe_take"
EXPECT = "`edges`"


def safe_take(x, idx, fill):
    return x[idx]
