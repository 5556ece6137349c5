"""learning_rate and optimizer left as ordinary fields: they become leaves (a float and a str)."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "Mark learning_rate and optimizer as static fields"


def make_train_state_class():
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass(frozen=True)
    class LooseState:
        params: Any
        step: jax.Array
        learning_rate: float
        optimizer: str

        def apply_gradients(self, grads):
            params = jax.tree.map(lambda p, g: p - self.learning_rate * g, self.params, grads)
            return dataclasses.replace(self, params=params, step=self.step + 1)

    return LooseState
