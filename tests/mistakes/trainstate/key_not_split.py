"""The same key initialises the weights and becomes the dropout key."""
TASK = "trainstate.create_train_state"
EXPECT = "state.key is the key that was passed in"


def create_train_state(model, key, x, tx):
    variables = model.init(key, x, train=False)
    return TrainState.create(apply_fn=model.apply, params=variables["params"], tx=tx,
                             batch_stats=variables["batch_stats"], key=key)
