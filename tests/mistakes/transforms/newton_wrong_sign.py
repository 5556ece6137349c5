"""Adding the Newton direction instead of subtracting it."""
TASK = "transforms.newton_step"
EXPECT = "differs in"


def newton_step(f, x):
    return x + jnp.linalg.solve(jax.hessian(f)(x), jax.grad(f)(x))
