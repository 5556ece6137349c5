"""An optimizer of its own instead of the tx passed in."""
TASK = "trainstate.create_train_state"
EXPECT = "tx is not the optimizer passed in"


def create_train_state(model, key, x, tx):
    init_key, dropout_key = jax.random.split(key)
    variables = model.init(init_key, x, train=False)
    return TrainState.create(apply_fn=model.apply, params=variables["params"], tx=optax.adam(1e-3),
                             batch_stats=variables["batch_stats"], key=dropout_key)
