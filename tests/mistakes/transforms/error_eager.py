"""checkify run eagerly: f is never traced by jax.jit."""
TASK = "transforms.find_error"
EXPECT = "ran f eagerly"


def find_error(f, *args):
    errors = checkify.index_checks | checkify.nan_checks | checkify.div_checks
    err, _ = checkify.checkify(f, errors=errors)(*args)
    return err.get()
