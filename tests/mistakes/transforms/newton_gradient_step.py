"""A plain gradient step: no Hessian at all."""
TASK = "transforms.newton_step"
EXPECT = "differs in"


def newton_step(f, x):
    return x - jax.grad(f)(x)
