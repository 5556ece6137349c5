"""Computing both Jacobians and averaging them: right values at the cost of both modes."""
TASK = "transforms.jacobian_auto"
EXPECT = "flops under jax.jit"


def jacobian_auto(f, x):
    return 0.5 * (jax.jacfwd(f)(x) + jax.jacrev(f)(x))
