# Generated from solutions/nnx.py (sha256 7b4043e43e9e) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `nnx`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from nnx import *  # noqa: F401,F403  (the functions you write)


# Task nnx.conv2d
def test_conv2d_matches_lax_on_a_small_case():
    x = jnp.arange(2 * 5 * 6 * 2, dtype=jnp.float32).reshape(2, 5, 6, 2) / 10
    kernel = jnp.linspace(-1.0, 1.0, 3 * 2 * 2 * 3).reshape(3, 2, 2, 3)
    for strides, padding in (((1, 1), "VALID"), ((2, 2), "SAME")):
        got = conv2d(x, kernel, strides, padding)
        expected = lax.conv_general_dilated(x, kernel, strides, padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))
        assert got.shape == expected.shape, f"conv2d(..., {strides}, {padding!r}) has shape {got.shape}, expected {expected.shape}"
        assert jnp.allclose(got, expected, atol=1e-4), f"conv2d(..., {strides}, {padding!r}) differs from lax.conv_general_dilated"


def test_conv2d_uses_no_convolution_primitive():
    jaxpr = jax.make_jaxpr(lambda x, k: conv2d(x, k, (1, 1), "SAME"))(jnp.ones((1, 4, 4, 1)), jnp.ones((3, 3, 1, 2)))
    assert "conv_general_dilated" not in str(jaxpr), "conv2d calls a convolution routine: build the patches yourself"


# Task nnx.receptive_field
def test_receptive_field_of_two_small_stacks():
    assert receptive_field([3, 3], [1, 1]) == 5, f"receptive_field([3, 3], [1, 1]) is {receptive_field([3, 3], [1, 1])}, expected 5"
    assert receptive_field([3, 3], [2, 1]) == 7, f"receptive_field([3, 3], [2, 1]) is {receptive_field([3, 3], [2, 1])}, expected 7"


# Task nnx.linen_to_nnx
def test_linen_to_nnx_gives_the_linen_outputs():
    linen = LinenMLP(hidden=6, num_classes=3, dropout_rate=0.5)
    x = jnp.linspace(-2.0, 2.0, 20).reshape(5, 4)
    variables = linen.init(jax.random.key(0), x, train=False)
    _, updates = linen.apply(variables, x, train=True, rngs={"dropout": jax.random.key(1)}, mutable=["batch_stats"])
    variables = {"params": variables["params"], "batch_stats": updates["batch_stats"]}  # non-trivial statistics
    model = MLP(4, 6, 3, 0.5, rngs=nnx.Rngs(2))
    linen_to_nnx(variables, model)
    model.eval()
    expected = linen.apply(variables, x, train=False)
    assert jnp.allclose(model(x), expected, atol=1e-5), "the NNX model's eval output differs from the Linen model's"
    assert type(model.bn.mean).__name__ == "BatchStat", f"model.bn.mean is a {type(model.bn.mean).__name__}, expected BatchStat"


# Task nnx.make_cnn
def test_make_cnn_shapes_and_variables():
    model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
    x = jnp.linspace(0.0, 1.0, 3 * 64).reshape(3, 8, 8, 1)
    assert model(x).shape == (3, 10), f"model(x) has shape {model(x).shape}, expected (3, 10)"
    kinds = sorted({type(v).__name__ for _, v in nnx.to_flat_state(nnx.state(model))})
    assert kinds == ["BatchStat", "Param", "RngCount", "RngKey"], f"the model's variables are of the types {kinds}"
    assert model.conv2.kernel.shape == (3, 3, 4, 6), f"conv2's kernel has shape {model.conv2.kernel.shape}, expected (3, 3, 4, 6)"


def test_make_cnn_modes():
    model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
    x = jnp.linspace(0.0, 1.0, 3 * 64).reshape(3, 8, 8, 1)
    assert not jnp.array_equal(model(x), model(x)), "two train-mode calls gave the same output: dropout is not active"
    model.eval()
    assert jnp.array_equal(model(x), model(x)), "two eval-mode calls gave different outputs"


# Task nnx.train_step
def test_train_step_updates_everything_once():
    model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    x = jnp.linspace(0.0, 1.0, 6 * 64).reshape(6, 8, 8, 1)
    y = jnp.array([0, 1, 2, 3, 4, 5])
    kernel, mean = model.head.kernel[...], model.bn1.mean[...]
    loss = nnx.jit(train_step)(model, optimizer, x, y)
    assert loss.shape == () and jnp.isfinite(loss), f"train_step returned {loss}, expected a finite scalar loss"
    assert not jnp.array_equal(kernel, model.head.kernel[...]), "the head's kernel did not change: call optimizer.update(model, grads)"
    assert not jnp.array_equal(mean, model.bn1.mean[...]), "the batch statistics did not change: run the model in training mode"
    assert int(optimizer.step[...]) == 1, f"optimizer.step is {optimizer.step[...]} after one step, expected 1"
    assert int(model.dropout.rngs.count[...]) == 1, (
        f"the dropout RNG count is {model.dropout.rngs.count[...]} after one step, expected 1: call the model once")


# Task nnx.fit
def test_fit_two_small_epochs():
    rng = np.random.default_rng(0)
    data = {"train_x": rng.uniform(size=(25, 8, 8, 1)).astype(np.float32), "train_y": rng.integers(0, 10, 25).astype(np.int32),
            "test_x": rng.uniform(size=(7, 8, 8, 1)).astype(np.float32), "test_y": rng.integers(0, 10, 7).astype(np.int32)}
    model = make_cnn((4, 6), 10, 0.2, nnx.Rngs(0))
    history = fit(model, data, num_epochs=2, batch_size=10, learning_rate=1e-2, key=jax.random.key(1))
    assert len(history["train_loss"]) == 2 and len(history["test_accuracy"]) == 2, (
        f"history has {len(history['train_loss'])} losses and {len(history['test_accuracy'])} accuracies, expected 2 each")
    assert model.dropout.deterministic and model.bn1.use_running_average, "fit must leave the model in evaluation mode"


# Task nnx.train_scan
def test_train_scan_writes_the_result_back():
    model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    xs = jnp.linspace(0.0, 1.0, 3 * 4 * 64).reshape(3, 4, 8, 8, 1)
    ys = jnp.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]])
    kernel = model.head.kernel[...]
    losses = train_scan(model, optimizer, xs, ys)
    assert losses.shape == (3,), f"train_scan returned losses of shape {losses.shape}, expected (3,)"
    assert int(optimizer.step[...]) == 3, f"optimizer.step is {optimizer.step[...]} after 3 steps, expected 3: write the state back"
    assert not jnp.array_equal(kernel, model.head.kernel[...]), "the model's parameters did not change: write the state back"


# Task nnx.save_model
def test_save_model_writes_a_checkpoint():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
        save_model(model, str(tmp_path / "checkpoint"))
        with ocp.StandardCheckpointer() as checkpointer:
            raw = checkpointer.restore(str(tmp_path / "checkpoint"))
        assert sorted(raw) == ["bn1", "bn2", "conv1", "conv2", "dropout", "head"], f"the checkpoint holds {sorted(raw)}"
        assert jnp.array_equal(raw["conv1"]["kernel"]["value"], model.conv1.kernel[...]), "the saved conv1 kernel differs"


# Task nnx.restore_model
def test_restore_model_round_trip():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        model = make_cnn((4, 6), 10, 0.5, nnx.Rngs(0))
        model(jnp.ones((2, 8, 8, 1)))  # a train-mode call: statistics and RNG count move
        with ocp.StandardCheckpointer() as checkpointer:
            checkpointer.save(str(tmp_path / "checkpoint"), nnx.state(model))
            checkpointer.wait_until_finished()
        restored = restore_model(str(tmp_path / "checkpoint"), (4, 6), 10, 0.5)
        assert jnp.array_equal(restored.bn1.mean[...], model.bn1.mean[...]), "the restored running mean differs"
        model.eval()
        x = jnp.linspace(0.0, 1.0, 2 * 64).reshape(2, 8, 8, 1)
        assert jnp.allclose(restored(x), model(x)), "the restored model's eval output differs from the saved model's"
