"""tree_unflatten builds the base Dense instead of cls: rebuilt layers lose their registration."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "is not an instance of the class"


def make_dense_class():
    @jax.tree_util.register_pytree_node_class
    class BaseDense(Dense):
        def tree_flatten(self):
            return (self.w, self.b), self.activation

        @classmethod
        def tree_unflatten(cls, activation, children):
            return Dense(*children, activation)

    return BaseDense
