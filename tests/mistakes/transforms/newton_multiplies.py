"""Multiplying the gradient by the Hessian instead of solving with it."""
TASK = "transforms.newton_step"
EXPECT = "differs in"


def newton_step(f, x):
    return x - jax.hessian(f)(x) @ jax.grad(f)(x)
