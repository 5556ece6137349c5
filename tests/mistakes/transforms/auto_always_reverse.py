"""Always reverse mode (jax.jacobian): right values, but costly on a tall f."""
TASK = "transforms.jacobian_auto"
EXPECT = "On the tall f"


def jacobian_auto(f, x):
    return jax.jacobian(f)(x)
