"""The children as (b, w): consistent with its tree_unflatten, but not the order the contract fixes."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "`first/leaves[0]` has shape"


def make_dense_class():
    @jax.tree_util.register_pytree_node_class
    class BiasFirst(Dense):
        def tree_flatten(self):
            return (self.b, self.w), self.activation

        @classmethod
        def tree_unflatten(cls, activation, children):
            b, w = children
            return cls(w, b, activation)

    return BiasFirst
