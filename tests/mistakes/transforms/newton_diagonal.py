"""Dividing by the diagonal of the Hessian only."""
TASK = "transforms.newton_step"
EXPECT = "differs in"


def newton_step(f, x):
    return x - jax.grad(f)(x) / jnp.diag(jax.hessian(f)(x))
