"""An optimizer for every variable (wrt=nnx.Variable): it would update batch statistics and RNG state, and it
refuses the Param-only gradients."""
TASK = "nnx.fit"
EXPECT = "raised"


def fit(model, data, *, num_epochs, batch_size, learning_rate, key):
    optimizer = nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Variable)
    step = nnx.jit(train_step)
    train_x, train_y = jnp.asarray(data["train_x"]), jnp.asarray(data["train_y"])
    n_train = train_x.shape[0]
    history = {"train_loss": [], "test_accuracy": []}
    for epoch in range(num_epochs):
        model.train()
        order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train)
        losses = []
        for b in range(n_train // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            losses.append(step(model, optimizer, train_x[idx], train_y[idx]))
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        model.eval()
        predictions = jnp.argmax(model(jnp.asarray(data["test_x"])), axis=-1)
        history["test_accuracy"].append(float(jnp.mean(predictions == jnp.asarray(data["test_y"]))))
    return history
