"""The halves of the split swapped: the weights drawn from the second, the first kept for dropout."""
TASK = "trainstate.create_train_state"
EXPECT = "first half of jax.random.split(key)"


def create_train_state(model, key, x, tx):
    dropout_key, init_key = jax.random.split(key)
    variables = model.init(init_key, x, train=False)
    return TrainState.create(apply_fn=model.apply, params=variables["params"], tx=tx,
                             batch_stats=variables["batch_stats"], key=dropout_key)
