"""Gradient ascent: params + learning_rate * grads."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "`eager/first/params"


def make_train_state_class():
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass(frozen=True)
    class Ascent:
        params: Any
        step: jax.Array
        learning_rate: float = dataclasses.field(metadata=dict(static=True))
        optimizer: str = dataclasses.field(metadata=dict(static=True))

        def apply_gradients(self, grads):
            params = jax.tree.map(lambda p, g: p + self.learning_rate * g, self.params, grads)
            return dataclasses.replace(self, params=params, step=self.step + 1)

    return Ascent
