"""checkify's default errors: user checks only, so nothing is found."""
TASK = "transforms.find_error"
EXPECT = "`past_the_end`"


def find_error(f, *args):
    err, _ = jax.jit(checkify.checkify(f))(*args)
    return err.get()
