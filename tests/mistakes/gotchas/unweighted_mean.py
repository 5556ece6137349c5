"""Ignoring the weights."""
TASK = "gotchas.weighted_average"
EXPECT = "`int_lists`"

def weighted_average(values, weights):
    return jnp.mean(jnp.asarray(values, jnp.float32))
