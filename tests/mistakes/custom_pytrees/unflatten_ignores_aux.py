"""tree_unflatten ignores the aux data: rebuilt layers fall back to the default activation."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "/activation`"


def make_dense_class():
    @jax.tree_util.register_pytree_node_class
    class ForgetfulDense(Dense):
        def tree_flatten(self):
            return (self.w, self.b), self.activation

        @classmethod
        def tree_unflatten(cls, activation, children):
            return cls(*children)

    return ForgetfulDense
