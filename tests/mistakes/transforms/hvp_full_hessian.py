"""Building the Hessian and multiplying: an n x n array in the program."""
TASK = "transforms.hvp"
EXPECT = "without building H"


def hvp(f, x, v):
    return jax.hessian(f)(x) @ v
