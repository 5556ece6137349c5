"""Index checks only: NaNs and divisions by zero go unreported."""
TASK = "transforms.find_error"
EXPECT = "`nan` is None"


def find_error(f, *args):
    err, _ = jax.jit(checkify.checkify(f, errors=checkify.index_checks))(*args)
    return err.get()
