"""Registering one module-level class inside the factory: the second call raises ValueError."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "Duplicate custom PyTreeDef type registration"


class _SharedDense(Dense):
    def tree_flatten(self):
        return (self.w, self.b), self.activation

    @classmethod
    def tree_unflatten(cls, activation, children):
        return cls(*children, activation)


def make_dense_class():
    return jax.tree_util.register_pytree_node_class(_SharedDense)
