"""apply_gradients assigns the new values to self and returns it: fine under jit, wrong when called eagerly."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "changed the state it was called on"


def make_train_state_class():
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass
    class InPlaceState:
        params: Any
        step: jax.Array
        learning_rate: float = dataclasses.field(metadata=dict(static=True))
        optimizer: str = dataclasses.field(metadata=dict(static=True))

        def apply_gradients(self, grads):
            self.params = jax.tree.map(lambda p, g: p - self.learning_rate * g, self.params, grads)
            self.step = self.step + 1
            return self

    return InPlaceState
