"""flatten returns `p.coeffs, p.var` without the 1-tuple: JAX iterates the array, one child per coefficient."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "`poly/leaves` has"


def register_polynomial(cls):
    def flatten(p):
        return p.coeffs, p.var

    def unflatten(var, children):
        return cls(jnp.stack(list(children)), var)

    jax.tree_util.register_pytree_node(cls, flatten, unflatten)
    return cls
