"""The last partial batch is trained on too: a smaller batch (and a second compilation) every epoch."""
TASK = "trainstate.fit"
EXPECT = "also received the last partial batch"


def fit(state, data, *, num_epochs, batch_size, key, train_step, eval_step):
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    test_batch = {"x": jnp.asarray(data["test_x"]), "y": jnp.asarray(data["test_y"])}
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        losses = []
        for start in range(0, n_train, batch_size):
            idx = order[start:start + batch_size]
            state, metrics = train_step(state, {"x": train_x[idx], "y": train_y[idx]})
            losses.append(metrics["loss"])
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        history["test_accuracy"].append(float(eval_step(state, test_batch)["accuracy"]))
    return state, history
