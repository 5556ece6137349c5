"""optimizer marked static but learning_rate not: a float leaf that jax.jit traces."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "holds the Python number"


def make_train_state_class():
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass(frozen=True)
    class TracedRate:
        params: Any
        step: jax.Array
        learning_rate: float
        optimizer: str = dataclasses.field(metadata=dict(static=True))

        def apply_gradients(self, grads):
            params = jax.tree.map(lambda p, g: p - self.learning_rate * g, self.params, grads)
            return dataclasses.replace(self, params=params, step=self.step + 1)

    return TracedRate
