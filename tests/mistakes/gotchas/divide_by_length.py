"""Dividing by the number of entries instead of the total weight."""
TASK = "gotchas.weighted_average"
EXPECT = "`int_lists`"

def weighted_average(values, weights):
    values, weights = jnp.asarray(values, jnp.float32), jnp.asarray(weights, jnp.float32)
    return jnp.sum(values * weights) / values.shape[0]
