"""A dataclass registered by hand with register_pytree_node: right leaves, but no .params/.step key paths."""
TASK = "custom_pytrees.make_train_state_class"
EXPECT = "/paths"


def make_train_state_class():
    @dataclasses.dataclass(frozen=True)
    class HandState:
        params: Any
        step: jax.Array
        learning_rate: float
        optimizer: str

        def apply_gradients(self, grads):
            params = jax.tree.map(lambda p, g: p - self.learning_rate * g, self.params, grads)
            return dataclasses.replace(self, params=params, step=self.step + 1)

    jax.tree_util.register_pytree_node(
        HandState, lambda s: ((s.params, s.step), (s.learning_rate, s.optimizer)),
        lambda aux, children: HandState(*children, *aux))
    return HandState
