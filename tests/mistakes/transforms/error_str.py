"""str(err) instead of err.get(): a description of the error object, never None."""
TASK = "transforms.find_error"
EXPECT = "`clean`"


def find_error(f, *args):
    errors = checkify.index_checks | checkify.nan_checks | checkify.div_checks
    err, _ = jax.jit(checkify.checkify(f, errors=errors))(*args)
    return str(err)
