# Generated from solutions/trainstate.py (sha256 e09de1fc9e87) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `trainstate`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from trainstate import *  # noqa: F401,F403  (the functions you write)


# Task trainstate.build_model
def test_build_model_collections_and_shapes():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    assert set(variables) == {"params", "batch_stats"}, (
        f"model.init returned the collections {sorted(variables)}, expected ['batch_stats', 'params']")
    logits = model.apply(variables, x, train=False)
    assert logits.shape == (6, 3), f"model.apply(variables, x, train=False) returned shape {logits.shape}, expected (6, 3)"


def test_build_model_train_mode_updates_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    _, updates = model.apply(variables, x, train=True, rngs={"dropout": jax.random.key(1)}, mutable=["batch_stats"])
    changed = jax.tree.leaves(jax.tree.map(lambda a, b: bool(jnp.any(a != b)), updates["batch_stats"],
                                           variables["batch_stats"]))
    assert any(changed), "a train-mode apply left batch_stats unchanged: BatchNorm needs use_running_average=not train"


# Task trainstate.apply_train
def test_apply_train_returns_new_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    variables = model.init(jax.random.key(0), x, train=False)
    logits, stats = apply_train(model, variables, x, jax.random.key(1))
    assert logits.shape == (6, 3), f"apply_train returned logits of shape {logits.shape}, expected (6, 3)"
    assert jax.tree.structure(stats) == jax.tree.structure(variables["batch_stats"]), (
        "apply_train must return the batch_stats tree itself, not the dict of all updated collections")
    old_mean = jax.tree.leaves(variables["batch_stats"])[0]
    assert not jnp.array_equal(jax.tree.leaves(stats)[0], old_mean), (
        "the batch_stats returned by apply_train equal the ones passed in: return the updated statistics")


# Task trainstate.create_train_state
def test_create_train_state_fields():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    tx = optax.sgd(0.1)
    state = create_train_state(model, jax.random.key(0), jnp.linspace(-1.0, 1.0, 24).reshape(6, 4), tx)
    assert isinstance(state, TrainState), f"create_train_state returned a {type(state).__name__}, expected TrainState"
    assert int(state.step) == 0, f"state.step is {state.step}, expected 0"
    assert state.tx is tx, "state.tx is not the optimizer passed in"
    assert "batch_stats" not in state.params, "state.params holds batch_stats: pass the params collection only"
    assert jax.tree.leaves(state.batch_stats), "state.batch_stats is empty: pass the batch_stats collection"


# Task trainstate.train_step
def test_train_step_counts_and_updates_statistics():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    batch = {"x": x, "y": jnp.array([0, 1, 2, 0, 1, 2])}
    state = create_train_state(model, jax.random.key(0), x, optax.adam(1e-2))
    new_state, metrics = jax.jit(train_step)(state, batch)
    assert int(new_state.step) == 1, f"after one train_step, state.step is {new_state.step}, expected 1"
    assert set(metrics) == {"loss", "accuracy"}, f"train_step returned metrics {sorted(metrics)}, expected ['accuracy', 'loss']"
    assert jnp.isfinite(metrics["loss"]), f"the loss is {metrics['loss']}"
    assert new_state.tx is state.tx, "train_step returned a state with another optimizer: keep state.tx"
    before, after = jax.tree.leaves(state.batch_stats)[0], jax.tree.leaves(new_state.batch_stats)[0]
    assert not jnp.array_equal(before, after), "state.batch_stats did not change after train_step"


# Task trainstate.eval_step
def test_eval_step_is_deterministic():
    model = build_model(hidden=8, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-1.0, 1.0, 24).reshape(6, 4)
    batch = {"x": x, "y": jnp.array([0, 1, 2, 0, 1, 2])}
    state = create_train_state(model, jax.random.key(0), x, optax.adam(1e-2))
    first = eval_step(state, batch)
    second = eval_step(state.replace(key=jax.random.key(5)), batch)
    assert set(first) == {"loss", "accuracy"}, f"eval_step returned {sorted(first)}, expected ['accuracy', 'loss']"
    assert jnp.allclose(first["loss"], second["loss"]), (
        "eval_step gave different losses for states that differ only in their key: evaluation must not use dropout")


# Task trainstate.adam_update
def test_adam_update_matches_optax():
    params = {"w": jnp.array([1.0, -2.0, 3.0]), "b": jnp.array(0.5)}
    grads = {"w": jnp.array([0.1, -0.3, 2.0]), "b": jnp.array(-1.0)}
    mine, state = adam_update(grads, adam_init(params), 0.01)
    tx = optax.adam(0.01)
    theirs, _ = tx.update(grads, tx.init(params), params)
    assert int(state["count"]) == 1, f"the new count is {state['count']}, expected 1"
    for name in ("w", "b"):
        assert jnp.allclose(mine[name], theirs[name], rtol=1e-4, atol=1e-7), (
            f"adam_update's first update of '{name}' is {mine[name]}, optax.adam gives {theirs[name]}")


# Task trainstate.fit
def _counting_steps():
    """Stand-in step functions: the 'state' counts the examples trained on, the metrics are simple functions."""
    def train(state, batch):
        return state + batch["x"].shape[0], {"loss": jnp.mean(batch["x"]), "accuracy": jnp.float32(0.0)}

    def evaluate(state, batch):
        return {"loss": jnp.float32(0.0), "accuracy": jnp.float32(state) / 100}

    return train, evaluate


def test_fit_drops_the_partial_batch():
    rng = np.random.default_rng(0)
    data = {"train_x": rng.normal(size=(15, 4)).astype(np.float32), "train_y": rng.integers(0, 3, 15).astype(np.int32),
            "test_x": rng.normal(size=(6, 4)).astype(np.float32), "test_y": rng.integers(0, 3, 6).astype(np.int32)}
    train, evaluate = _counting_steps()
    state, history = fit(0, data, num_epochs=2, batch_size=6, key=jax.random.key(1), train_step=train,
                         eval_step=evaluate)
    assert int(state) == 24, (f"after 2 epochs of 15 examples in batches of 6, train_step saw {int(state)} examples, "
                              "expected 24 (2 full batches per epoch; the last 3 examples are left out)")
    assert len(history["train_loss"]) == 2 and len(history["test_accuracy"]) == 2, (
        f"history has {len(history['train_loss'])} losses and {len(history['test_accuracy'])} accuracies, expected 2 each")
    assert all(type(v) is float for v in history["train_loss"] + history["test_accuracy"]), (
        "history must hold Python floats")
    assert np.allclose(history["test_accuracy"], [0.12, 0.24]), (
        f"history['test_accuracy'] is {history['test_accuracy']}: evaluate once after each epoch's batches")
