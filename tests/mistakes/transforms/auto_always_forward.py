"""Always forward mode: right values, but costly on a wide f."""
TASK = "transforms.jacobian_auto"
EXPECT = "On the wide f"


def jacobian_auto(f, x):
    return jax.jacfwd(f)(x)
