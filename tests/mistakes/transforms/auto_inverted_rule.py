"""The rule the wrong way round: reverse mode for tall Jacobians, forward mode for wide ones."""
TASK = "transforms.jacobian_auto"
EXPECT = "use forward mode"


def jacobian_auto(f, x):
    m = jax.eval_shape(f, x).shape[0]
    return (jax.jacrev if m > x.shape[0] else jax.jacfwd)(f)(x)
