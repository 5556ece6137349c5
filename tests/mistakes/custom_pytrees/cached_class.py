"""Building the class once and handing the same one back on every later call."""
TASK = "custom_pytrees.make_dense_class"
EXPECT = "returned the same class twice"

_made = []


def make_dense_class():
    if not _made:
        @jax.tree_util.register_pytree_node_class
        class OnceDense(Dense):
            def tree_flatten(self):
                return (self.w, self.b), self.activation

            @classmethod
            def tree_unflatten(cls, activation, children):
                return cls(*children, activation)

        _made.append(OnceDense)
    return _made[0]
