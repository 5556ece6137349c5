"""Hidden checks for topic `trainstate`.

Probes run the student's function next to trusted code (a fixed Linen model, TrainState subclass and steps
in autograder/sandbox/probes/trainstate.py), so each task is judged on its own. Docstrings list the classic mistakes
each check rejects.
"""
import pytest

from autograder.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import trainstate as probes


@pytest.mark.task("trainstate.build_model")
def test_build_model_structure(run):
    """Rejects: extra or missing collections, missing layers, BatchNorm on the wrong axis or after the output."""
    got, ref = run(probes.build_model_behaviour)
    expect(got["collections"] == ["batch_stats", "params"],
           f"model.init(key, x, train=False) returned the collections {got['collections']}, expected "
           "['batch_stats', 'params']: BatchNorm's running averages live in batch_stats.")
    expect_match({k: got[k] for k in ("param_shapes", "stat_shapes", "eval_shape", "train_shape")},
                 {k: ref[k] for k in ("param_shapes", "stat_shapes", "eval_shape", "train_shape")},
                 call="build_model(hidden=16, num_classes=10, dropout_rate=0.5) initialised on a (32, 64) batch "
                      "(sorted parameter shapes, statistics shapes, output shapes)",
                 hint="Dense(hidden), BatchNorm, relu, Dropout, Dense(num_classes), in that order.")


@pytest.mark.task("trainstate.build_model")
def test_build_model_eval_mode(run):
    """Rejects: layers in another order, a softmax on the output, dropout or batch statistics at evaluation."""
    got, _ = run(probes.build_model_behaviour)
    expect(got["expected_eval"] is not None,
           "The parameters have no (64, 16) and (16, 10) kernels: the model must be Dense(hidden) ... Dense(num_classes).")
    expect_match(got["eval_out"], got["expected_eval"], rtol=1e-4, atol=1e-5,
                 call="model.apply(variables, x, train=False) right after init (zero biases, running mean 0, "
                      "variance 1), compared with relu(x @ K1 / sqrt(1 + 1e-5)) @ K2",
                 hint="at evaluation BatchNorm uses the running averages (use_running_average=not train) and "
                      "Dropout is off (deterministic=not train); return logits, no softmax.")


@pytest.mark.task("trainstate.build_model")
def test_build_model_train_mode(run):
    """Rejects: BatchNorm that always uses running averages (statistics never update), the default momentum
    0.99, Dropout that is always deterministic (the same output for every key)."""
    got, _ = run(probes.build_model_behaviour)
    expect(got["stats_changed"] is True,
           "A train-mode apply with mutable=['batch_stats'] left the batch_stats unchanged: BatchNorm must use the "
           "batch statistics while training (use_running_average=not train).")
    expect_match({"mean": got["new_mean"], "var": got["new_var"]},
                 {"mean": got["expected_mean"], "var": got["expected_var"]}, rtol=1e-4, atol=1e-5,
                 call="The running averages after one train-mode apply from (mean 0, var 1), compared with "
                      "0.9 * old + 0.1 * batch statistics of the first Dense layer's output",
                 hint="BatchNorm goes right after the first Dense layer, with momentum=0.9.")
    expect(got["other_key_other_output"] is True,
           "Two different dropout keys gave the same train-mode output: Dropout must be active while training "
           "(deterministic=not train).")
    expect(got["same_key_same_output"] is True,
           "The same dropout key gave two different train-mode outputs: draw randomness only from rngs={'dropout': key}.")


@pytest.mark.task("trainstate.apply_train")
def test_apply_train_matches(run):
    """Rejects: returning the old batch_stats, returning the whole updates dict, train=False, ignoring the key."""
    got, ref = run(probes.apply_train_outputs)
    expect(got["stats_unchanged"] is False,
           "apply_train returned batch_stats equal to the ones passed in: the updated statistics are in the "
           "second value that apply returns with mutable=['batch_stats'] (updates['batch_stats']).")
    expect_match(got, ref, call="apply_train(model, variables, x, key) on a fixed BatchNorm + Dropout model and a "
                                "random (32, 64) batch",
                 hint="model.apply(variables, x, train=True, rngs={'dropout': key}, mutable=['batch_stats']) "
                      "returns (logits, updates); return logits and updates['batch_stats'].")


@pytest.mark.task("trainstate.create_train_state")
def test_create_train_state_fields(run):
    """Rejects: a plain TrainState (no batch_stats or key), batch_stats left inside params, an optimizer state
    built for the whole variables dict, the key used both to init and as the dropout key."""
    got, ref = run(probes.create_train_state_fields)
    expect(got["is_train_state"] is True and got["has_fields"] is True,
           "create_train_state must return the TrainState subclass with batch_stats and key fields "
           "(flax.training.train_state.TrainState plus two fields).")
    expect(got["tx_is_given"] is True, "state.tx is not the optimizer passed in: use tx=tx, do not build another one.")
    expect(got["opt_state_structure_ok"] is True,
           "state.opt_state does not have the structure of tx.init(state.params): let TrainState.create build it "
           "from variables['params'] only.")
    problem = tree_problem(got["key"], ref["key"])
    expect(problem is None, "state.key is not the second half of jax.random.split(key): split the key once, "
                            "init with the first half and keep the second for dropout (" + str(problem) + ").")
    expect_match(got, ref, call="create_train_state(model, key, x, optax.adam(1e-2)) on a fixed model",
                 hint="init_key, dropout_key = jax.random.split(key); model.init(init_key, x, train=False); "
                      "params=variables['params'], batch_stats=variables['batch_stats'], apply_fn=model.apply.")


@pytest.mark.task("trainstate.train_step")
def test_train_step_matches_reference(run):
    """Rejects: batch statistics never written back, eval mode inside the step, a wrong loss, metrics after the update."""
    got, ref = run(probes.train_step_three_steps)
    expect(got["stats_written_back"] is True,
           "After train_step the state's batch_stats are unchanged: the batch statistics were never written back. "
           "Pass them on: state.apply_gradients(grads=grads, batch_stats=updates['batch_stats']).")
    expect_match(got["state"], ref["state"], rtol=2e-5, atol=2e-6,
                 call="Three jitted train_step calls on a fixed BatchNorm + Dropout model with optax.adam(1e-2)",
                 hint="dropout key fold_in(state.key, state.step); mean softmax cross-entropy; "
                      "state.apply_gradients(grads=grads, batch_stats=new_stats).")
    expect_match(got["metrics"], ref["metrics"], rtol=2e-5, atol=2e-6,
                 call="The metrics returned by those three train_step calls",
                 hint="loss and accuracy of this step's train-mode logits, before the update.")


@pytest.mark.task("trainstate.train_step")
def test_train_step_traces_once(run):
    """Rejects: an optimizer (optax.adam(...)) or a TrainState rebuilt inside the step, which changes the
    state's static fields and makes jax.jit retrace at every call."""
    got, _ = run(probes.train_step_three_steps)
    expect(got["treedef_stable"] is True and got["traces"] == 1,
           f"jax.jit traced train_step {got['traces']} times for 5 calls with same-shaped inputs, expected 1: the "
           "returned state has a different structure than the one passed in. Build the optimizer once, outside "
           "the step, and update with state.apply_gradients (tx and apply_fn are static fields: a new optax "
           "object is a new structure, so jit retraces).")


@pytest.mark.task("trainstate.train_step")
def test_train_step_fresh_dropout_key(run):
    """Rejects: rngs={'dropout': state.key} (the same dropout key every step), splitting the key without
    storing it, a key that is not derived from the state."""
    got, ref = run(probes.train_step_key_per_step)
    expect(not bool(got["loss_0"] == got["loss_1"]),
           "train_step gave the same loss for two states that differ only in their step: the same dropout key is "
           "used every step. Derive it with jax.random.fold_in(state.key, state.step).")
    expect(got["key_unchanged"] is True, "train_step changed state.key; leave it as it is and derive the step's "
                                         "dropout key with fold_in(state.key, state.step).")
    expect_match(got, ref, rtol=2e-5, atol=2e-6, call="train_step on one state at steps 0, 1 and a random later step",
                 hint="the dropout key must be exactly jax.random.fold_in(state.key, state.step).")


@pytest.mark.task("trainstate.eval_step")
def test_eval_step_uses_running_averages(run):
    """Rejects: train=True at evaluation (batch statistics of the eval batch and random dropout), mutable or
    rngs at evaluation, the wrong loss."""
    got, ref = run(probes.eval_step_metrics)
    expect(got["keys"] == ["accuracy", "loss"], f"eval_step returned the keys {got['keys']}, expected ['accuracy', 'loss'].")
    expect(tree_problem(got["loss"], got["oracle_loss"], rtol=1e-5, atol=1e-6) is None,
           f"eval_step's loss is {got['loss']:.6f}, but the model applied with train=False gives "
           f"{got['oracle_loss']:.6f}: evaluation must use the running averages and no dropout (train=True at "
           "evaluation uses the statistics of the evaluation batch and random masks).")
    expect(got["other_key_loss"] == got["loss"],
           "eval_step changed its result when only state.key changed: dropout is active at evaluation.")
    expect_match(got, ref, call="eval_step(state, batch) on a state with random running averages and a random batch",
                 hint="state.apply_fn({'params': ..., 'batch_stats': ...}, x, train=False).")


@pytest.mark.task("trainstate.adam_update")
def test_adam_update_equals_optax(run):
    """Rejects: no bias correction, bias correction with the old count, eps inside the square root, the
    update's sign flipped, moments not carried over."""
    got, ref = run(probes.adam_against_optax)
    expect(got["count"] == 4, f"after four adam_update calls the count is {got['count']}, expected 4.")
    expect_match({"mu": got["mu"], "nu": got["nu"]}, {"mu": got["optax_mu"], "nu": got["optax_nu"]},
                 call="The moments mu and nu after four adam_update steps, compared with optax.adam's",
                 hint="mu = b1 * mu + (1 - b1) * g and nu = b2 * nu + (1 - b2) * g**2, leaf by leaf.")
    expect_match(got["updates"], got["optax_updates"], rtol=1e-4, atol=1e-7,
                 call="The updates of four adam_update steps on random gradients, compared with optax.adam's",
                 hint="divide by the bias correction (1 - b1**t) and (1 - b2**t) with t = count + 1; eps outside "
                      "the square root; the update is -learning_rate * mu_hat / (sqrt(nu_hat) + eps).")


@pytest.mark.task("trainstate.fit")
def test_fit_trains_on_digits(run):
    """Rejects: metrics computed in train mode, no per-epoch shuffling, a kept partial batch, evaluation on
    the training set, the wrong number of steps."""
    got, ref = run(probes.fit_on_digits)
    expect(got["step"] == ref["step"], f"after fit(num_epochs=5, batch_size=100) on 1500 examples state.step is "
                                       f"{got['step']}, expected {ref['step']} (15 full batches per epoch).")
    expect(tree_problem(got["test_accuracy"][-1:], [got["final_state_accuracy"]]) is None,
           f"history['test_accuracy'][-1] is {got['test_accuracy'][-1]:.4f}, but eval_step on the test set with the "
           f"returned state gives {got['final_state_accuracy']:.4f}: compute the test metrics with eval_step "
           "(running averages, no dropout), not in train mode.")
    expect_match(got, ref, rtol=1e-4, atol=1e-5,
                 call="fit(state, digits, num_epochs=5, batch_size=100, key=...) with fixed train and eval steps",
                 hint="order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train) each epoch; "
                      "n_train // batch_size batches; eval_step on the whole test set after each epoch.")
    expect(got["test_accuracy"][-1] >= 0.9,
           f"After 5 epochs the test accuracy is {got['test_accuracy'][-1]:.3f}, expected at least 0.9.")
    expect(got["train_loss"][-1] < got["train_loss"][0],
           f"The training loss went from {got['train_loss'][0]:.3f} to {got['train_loss'][-1]:.3f}; it should decrease.")
