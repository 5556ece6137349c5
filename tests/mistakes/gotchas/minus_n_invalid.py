"""Treating -n as out of bounds (it is x[0])."""
TASK = "gotchas.safe_take"
EXPECT = "`edges`"

def safe_take(x, idx, fill):
    n = x.shape[0]
    ok = (idx > -n) & (idx < n)
    return jnp.where(ok, x[jnp.where(ok, idx, 0)], fill).astype(x.dtype)
