"""One module-level dataclass registered inside the factory: the second call raises ValueError."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "Duplicate custom dataclass PyTreeDef type registration"


@dataclasses.dataclass(frozen=True)
class _SharedState:
    params: Any
    step: jax.Array
    learning_rate: float = dataclasses.field(metadata=dict(static=True))
    optimizer: str = dataclasses.field(metadata=dict(static=True))

    def apply_gradients(self, grads):
        params = jax.tree.map(lambda p, g: p - self.learning_rate * g, self.params, grads)
        return dataclasses.replace(self, params=params, step=self.step + 1)


def make_train_state_class():
    return jax.tree_util.register_dataclass(_SharedState)
