"""The whole variables dict as params: the optimizer would train the running averages too."""
TASK = "trainstate.create_train_state"
EXPECT = "state.params holds a 'batch_stats' entry"


def create_train_state(model, key, x, tx):
    init_key, dropout_key = jax.random.split(key)
    variables = model.init(init_key, x, train=False)
    return TrainState.create(apply_fn=model.apply, params=variables, tx=tx, batch_stats=variables["batch_stats"],
                             key=dropout_key)
