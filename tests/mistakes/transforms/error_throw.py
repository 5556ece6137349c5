"""err.throw() raises the error instead of returning its message."""
TASK = "transforms.find_error"
EXPECT = "raised"


def find_error(f, *args):
    errors = checkify.index_checks | checkify.nan_checks | checkify.div_checks
    err, _ = jax.jit(checkify.checkify(f, errors=errors))(*args)
    err.throw()
    return None
