"""Passing Python lists straight to jnp functions."""
TASK = "gotchas.weighted_average"
EXPECT = "TypeError"


def weighted_average(values, weights):
    return jnp.sum(jnp.multiply(weights, values)) / jnp.sum(weights)
