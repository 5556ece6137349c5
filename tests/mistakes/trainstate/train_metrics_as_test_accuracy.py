"""The last training step's accuracy reported as the test accuracy: eval_step is never called."""
TASK = "trainstate.fit"
EXPECT = "eval_step was called 0 times"


def fit(state, data, *, num_epochs, batch_size, key, train_step, eval_step):
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        losses = []
        for b in range(n_train // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            state, metrics = train_step(state, {"x": train_x[idx], "y": train_y[idx]})
            losses.append(metrics["loss"])
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        history["test_accuracy"].append(float(metrics["accuracy"]))
    return state, history
