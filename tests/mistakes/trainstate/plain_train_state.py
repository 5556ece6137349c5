"""Flax's plain TrainState, with the whole variables dict as params (no batch_stats or key fields)."""
TASK = "trainstate.create_train_state"
EXPECT = "not an instance of the TrainState class"


def create_train_state(model, key, x, tx):
    variables = model.init(jax.random.split(key)[0], x, train=False)
    return train_state.TrainState.create(apply_fn=model.apply, params=variables, tx=tx)
