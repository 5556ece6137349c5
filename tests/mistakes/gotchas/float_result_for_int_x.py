"""Letting the float fill promote an int x to float32."""
TASK = "gotchas.safe_take"
EXPECT = "dtype float32, expected int32"

def safe_take(x, idx, fill):
    n = x.shape[0]
    ok = (idx >= -n) & (idx < n)
    return jnp.where(ok, x[jnp.where(ok, idx, 0)], fill)
