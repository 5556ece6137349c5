"""The activation name (a str hyperparameter) among the children."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "a hyperparameter went into the children"


def make_dense_class():
    @jax.tree_util.register_pytree_node_class
    class BadDense(Dense):
        def tree_flatten(self):
            return (self.w, self.b, self.activation), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)

    return BadDense
