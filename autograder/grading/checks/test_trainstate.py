"""Hidden checks for topic `trainstate`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on the
same drawn inputs, computed in the grader's own process (``ref``), or with a property the grader computes from
``got.out`` and the drawn inputs (``ref.given``). Properties measured beside the student's code (``got.report``)
only ever take points away. Messages name a cause only where the check detected it. Docstrings list the
mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, part, tree_problem
from autograder.sandbox.probes import trainstate as probes


def _array(value) -> bool:
    return type(value) is np.ndarray


# ------------------------------------------------------------------------------------------ build_model
def _model_call(g) -> str:
    return (f"build_model(hidden={g['hidden']}, num_classes={g['classes']}, dropout_rate={g['rate']:.3f}) on a "
            f"({g['n']}, {g['d']}) float32 batch")


def _expect_layers(got, ref) -> None:
    for name in ("first", "second"):
        g, theirs = ref.given[name], ref.out[name]
        mine = {k: part(got.out, name, k) for k in ("collections", "layers")}
        expect_match(mine, {k: theirs[k] for k in ("collections", "layers")},
                     call=f"model.init(key, x, train=False) for {_model_call(g)} (its collections, and its layers "
                          "described by their shapes, whatever their names)",
                     hint="Dense(hidden), BatchNorm, relu, Dropout, Dense(num_classes), with the sizes passed in; "
                          "BatchNorm's running averages live in the batch_stats collection.")


def _hidden_in_training(g) -> np.ndarray:
    """The hidden layer before dropout in training mode, computed here from the drawn weights (float64)."""
    z = g["x"].astype(np.float64) @ g["kernel_in"] + g["bias_in"]
    normed = (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5) * g["gamma"] + g["beta"]
    return np.maximum(normed, 0.0)


def _dropout_problem(g, logits) -> str | None:
    """What is wrong with train-mode logits, judged from the drawn weights: the output kernel has orthogonal rows,
    so the dropout layer's output is recovered exactly, and each hidden unit must be dropped or scaled by
    1 / (1 - rate)."""
    centred = logits.astype(np.float64) - g["bias_out"]
    recovered = centred @ g["kernel_out"].T / g["out_scale"] ** 2
    residual = np.abs(centred - recovered @ g["kernel_out"]).max()
    if not np.isfinite(residual) or residual > 1e-3 * (1.0 + np.abs(centred).max()):
        return ("the train-mode logits are not the output of a Dense(num_classes) layer on the hidden units "
                "(they do not lie in the span of its weights)")
    hidden, keep = _hidden_in_training(g), 1.0 - g["rate"]
    kept_value = hidden / keep
    tol = 2e-3 * (1.0 + np.abs(kept_value))
    dropped = np.abs(recovered) <= tol
    kept = np.abs(recovered - kept_value) <= tol
    active = hidden > 0.05
    if np.all(dropped | kept):
        return None  # which units are dropped depends on the layers' names; the key checks are separate
    survivors = active & ~dropped
    if survivors.any():
        ratios = recovered[survivors] / hidden[survivors]
        common = float(np.median(ratios))
        if np.allclose(ratios, common, rtol=2e-3) and common > 1.0:
            return (f"the hidden units kept in training mode are scaled by {common:.4f}, as a dropout rate of "
                    f"{1.0 - 1.0 / common:.4f} would scale them, but dropout_rate was {g['rate']:.4f} (kept units are "
                    f"scaled by 1 / (1 - dropout_rate) = {1.0 / keep:.4f})")
        if np.allclose(ratios, 1.0, rtol=2e-3):
            return "the hidden units kept in training mode are not scaled by 1 / (1 - dropout_rate)"
    return ("the hidden units of the train-mode pass (recovered from the logits) are not those of Dense, then "
            "BatchNorm with the batch's own statistics, then relu, each either dropped or scaled by "
            "1 / (1 - dropout_rate)")


@pytest.mark.task("trainstate.build_model")
def test_build_model_layers(run):
    """Rejects: a hidden width, number of classes or layer hard-coded, missing or extra layers (no BatchNorm, a
    Dense without bias), running averages outside batch_stats, a train-mode apply that updates other
    collections."""
    got, ref = run(probes.build_model_behaviour)
    _expect_layers(got, ref)
    for name in ("first", "second"):
        expect_match(part(got.out, name, "updated"), ref.out[name]["updated"],
                     call=f"model.apply(..., train=True, mutable=['batch_stats']) for {_model_call(ref.given[name])} "
                          "(the collections it returns updated)")


@pytest.mark.task("trainstate.build_model")
def test_build_model_evaluation(run):
    """Rejects: dropout or batch statistics at evaluation, a softmax on the output, relu before BatchNorm, layers
    in another order, another BatchNorm epsilon."""
    got, ref = run(probes.build_model_behaviour)
    _expect_layers(got, ref)
    for name in ("first", "second"):
        expect_match(part(got.out, name, "eval"), ref.out[name]["eval"], rtol=1e-5, atol=1e-5, exact_dtype=True,
                     call=f"model.apply(variables, x, train=False) for {_model_call(ref.given[name])}, with drawn "
                          "weights and running averages",
                     hint="at evaluation BatchNorm normalises with the running averages, Dropout is off, and the "
                          "logits are the last Dense layer's output (no softmax).")


@pytest.mark.task("trainstate.build_model")
def test_build_model_running_averages(run):
    """Rejects: BatchNorm that uses the running averages in training (they never update), the default momentum
    0.99, BatchNorm placed after relu or after Dropout."""
    got, ref = run(probes.build_model_behaviour)
    _expect_layers(got, ref)
    for name in ("first", "second"):
        g = ref.given[name]
        mine = part(got.out, name, "new_stats")
        mean = part(mine, "mean")
        if _array(mean) and mean.shape == g["running_mean"].shape:
            expect(not np.array_equal(mean, g["running_mean"]),
                   f"A train-mode apply with mutable=['batch_stats'] for {_model_call(g)} returned the running "
                   "averages unchanged. In training mode BatchNorm must normalise with the batch's statistics and "
                   "move the running averages toward them (use_running_average=not train).")
            z = g["x"].astype(np.float64) @ g["kernel_in"] + g["bias_in"]
            moved = (mean - z.mean(0)) / (g["running_mean"] - z.mean(0))
            if np.all(np.isfinite(moved)) and np.allclose(moved, moved.mean(), atol=1e-3) \
                    and abs(moved.mean() - 0.9) > 1e-2:
                expect(False, f"After one train-mode apply for {_model_call(g)} the running mean moved as with "
                              f"momentum {moved.mean():.3f}; the docstring asks for BatchNorm(momentum=0.9).")
        expect_match(mine, ref.out[name]["new_stats"], rtol=1e-5, atol=1e-6,
                     call=f"The running averages returned by a train-mode apply for {_model_call(g)}, from drawn "
                          "running averages",
                     hint="with momentum 0.9 the new running mean is 0.9 * old + 0.1 * the batch mean of the first "
                          "Dense layer's output, and the variance likewise.")


@pytest.mark.task("trainstate.build_model")
def test_build_model_dropout(run):
    """Rejects: Dropout never active (deterministic=True), a hard-coded dropout rate, the keep probability
    passed as the rate, BatchNorm with running averages in training, randomness that does not come from the
    'dropout' key."""
    got, ref = run(probes.build_model_behaviour)
    _expect_layers(got, ref)
    for name in ("first", "second"):
        g = ref.given[name]
        logits, again, other = (part(got.out, name, k) for k in ("train", "train_same_key", "train_other_key"))
        expected = ref.out[name]["train"]
        expect(_array(logits) and logits.shape == expected.shape and logits.dtype == expected.dtype,
               f"model.apply(variables, x, train=True, rngs={{'dropout': key}}, mutable=['batch_stats']) for "
               f"{_model_call(g)} returned logits of shape {getattr(logits, 'shape', None)} and dtype "
               f"{getattr(logits, 'dtype', None)}, expected shape {expected.shape} and float32.")
        expect(_array(again) and _array(other) and again.shape == logits.shape and other.shape == logits.shape,
               f"The train-mode applies for {_model_call(g)} did not return logits of the same shape each time.")
        expect(np.array_equal(logits, again),
               f"Two train-mode applies with the same dropout key gave different logits for {_model_call(g)}: the "
               "masks must come from rngs={'dropout': key} only.")
        expect(not np.array_equal(logits, other),
               f"Two different dropout keys gave the same train-mode logits for {_model_call(g)}: Dropout must be "
               "active while training (deterministic=not train) and draw its masks from the 'dropout' key.")
        problem = _dropout_problem(g, logits)
        expect(problem is None,
               f"model.apply(variables, x, train=True, rngs={{'dropout': key}}, mutable=['batch_stats']) for "
               f"{_model_call(g)}, with drawn weights: {problem}.")


# ------------------------------------------------------------------------------------------ apply_train
def _apply_call(g, how) -> str:
    return (f"apply_train(model, variables, x, key) {how} on build_model({g['hidden']}, {g['classes']}, "
            f"{g['rate']:.3f}) with drawn variables and a ({g['n']}, {g['d']}) batch")


@pytest.mark.task("trainstate.apply_train")
def test_apply_train_values(run):
    """Rejects: returning the batch_stats passed in, returning the whole dict of updated collections, train=False,
    a dropout key of its own instead of dropout_key, dropping the key altogether."""
    got, ref = run(probes.apply_train_outputs)
    for name, how in (("eager", "called eagerly"), ("jit", "under jax.jit")):
        g = ref.given[name]
        stats = part(got.out, name, "batch_stats")
        expect(not (isinstance(stats, dict) and set(stats) == {"batch_stats"}),
               f"{_apply_call(g, how)} returned the whole dict of updated collections ({{'batch_stats': ...}}) as its "
               "second value; return the updated batch_stats tree itself.")
        expect(tree_problem(stats, g["batch_stats"], rtol=0, atol=0) is not None,
               f"{_apply_call(g, how)} returned batch statistics equal to the ones in `variables`; return the "
               "updated statistics that apply hands back in training mode.")
        logits, other = part(got.out, name, "logits"), part(got.out, name, "other_key_logits")
        if _array(logits) and _array(other) and logits.shape == other.shape:
            expect(not np.array_equal(logits, other),
                   f"{_apply_call(g, how)} gave the same logits for two different dropout keys: the masks must be "
                   "drawn from dropout_key.")
        expect_match(part(got.out, name), ref.out[name], exact_dtype=True, call=_apply_call(g, how),
                     hint="training mode, rngs mapping 'dropout' to dropout_key, and mutable ['batch_stats']; "
                          "return the logits and the updated batch_stats.")


@pytest.mark.task("trainstate.apply_train")
def test_apply_train_leaves_variables_alone(run):
    """Rejects: writing the new statistics into the caller's variables dict (visible only in an eager call)."""
    got, ref = run(probes.apply_train_outputs)
    expect(got.report["eager"]["variables_intact"] is True,
           "apply_train changed the `variables` dict it was given (seen in an eager call). Return the new statistics "
           "and leave the caller's dict as it was.")
    expect_match(part(got.out, "eager", "logits"), ref.out["eager"]["logits"],
                 call=_apply_call(ref.given["eager"], "called eagerly"))


# ------------------------------------------------------------------------------------------ create_train_state
def _create_call(g, name) -> str:
    tx = f"optax.adam({g['lr']:.4f}, ...)" if name == "adam" else f"optax.sgd({g['lr']:.4f}, momentum=...)"
    return (f"create_train_state(build_model({g['hidden']}, {g['classes']}, {g['rate']:.3f}), key, x of shape "
            f"({g['n']}, {g['d']}), {tx})")


@pytest.mark.task("trainstate.create_train_state")
def test_create_train_state_type_and_optimizer(run):
    """Rejects: a plain flax TrainState (no batch_stats or key fields), an optimizer of its own instead of tx, an
    optimizer state built for the whole variables dict."""
    got, ref = run(probes.create_train_state_fields)
    for name in ("adam", "sgd"):
        call, report = _create_call(ref.given[name], name), got.report[name]
        expect(report["is_train_state_subclass"] is True,
               f"{call} returned a {report['type']}, not an instance of the TrainState class defined in the lesson "
               "(the subclass with batch_stats and key).")
        expect(report["tx_is_given"] is True, f"{call} returned a state whose tx is not the optimizer passed in.")
        expect(report["opt_state_fits_params"] is True,
               f"{call} returned a state whose opt_state does not have the structure of tx.init(state.params): the "
               "optimizer state covers something other than the params collection.")
        expect_match(part(got.out, name, "step"), ref.out[name]["step"], call=f"state.step after {call}")


@pytest.mark.task("trainstate.create_train_state")
def test_create_train_state_fields(run):
    """Rejects: the key not split (the same key for init and dropout), the halves swapped, a split into more than
    two keys, batch_stats left inside params, an init in training mode, apply_fn that is not model.apply."""
    import jax

    got, ref = run(probes.create_train_state_fields)
    for name in ("adam", "sgd"):
        g = ref.given[name]
        call = _create_call(g, name)
        key = part(got.out, name, "key")
        given_key = np.asarray(jax.random.key_data(probes.key_from_seed(g["seed"])))
        halves = np.asarray(jax.random.key_data(jax.random.split(probes.key_from_seed(g["seed"]))))
        if _array(key) and key.shape == given_key.shape:
            expect(not np.array_equal(key, given_key),
                   f"{call}: state.key is the key that was passed in. Split it once: the first half initialises the "
                   "weights, the second becomes state.key.")
            expect(not np.array_equal(key, halves[0]),
                   f"{call}: state.key is the first half of jax.random.split(key), the half that initialises the "
                   "weights; keep the second half.")
        params = part(got.out, name, "params")
        expect(not (isinstance(params, dict) and "batch_stats" in params),
               f"{call}: state.params holds a 'batch_stats' entry; params is the params collection only.")
        expect_match(part(got.out, name), ref.out[name], exact_dtype=False, call=call,
                     hint="init with the first half of one split of key in evaluation mode; params, batch_stats, "
                          "apply_fn and tx as the docstring lists them; state.key is the second half (a typed key).")


# ------------------------------------------------------------------------------------------ train_step
def _adam_call(g) -> str:
    return (f"Three jitted train_step calls from a fresh state (optax.adam({g['lr']:.4f}, eps={g['eps']:.4f}), "
            f"batches of {g['n']})")


def _same(a, b) -> bool:
    return tree_problem(a, b, rtol=0, atol=0) is None


@pytest.mark.task("trainstate.train_step")
def test_train_step_with_adam(run):
    """Rejects: batch statistics never written back, the step not counted, state.key changed, the loss summed or
    computed in evaluation mode, metrics after the update, another loss, gradients that are not the loss's."""
    got, ref = run(probes.train_step_adam)
    g = ref.given
    first = part(got.out, "states", 0)
    initial = g["initial"]
    expect(not _same(part(first, "batch_stats"), initial["batch_stats"]),
           f"{_adam_call(g)}: after the first call the state's batch_stats are the ones it was given. Write the "
           "statistics of the train-mode pass back into the state.")
    expect(not _same(part(first, "step"), initial["step"]),
           f"{_adam_call(g)}: after the first call state.step is still {initial['step']}; the step must be counted.")
    expect(_same(part(first, "key"), initial["key"]),
           f"{_adam_call(g)}: train_step changed state.key. Leave it as it is; derive each step's dropout key from it.")
    expect_match(part(got.out, "states"), ref.out["states"], rtol=2e-5, atol=2e-6, exact_dtype=True,
                 call=f"{_adam_call(g)}: the states returned",
                 hint="the dropout key fold_in(state.key, state.step); gradients of the mean cross-entropy of the "
                      "train-mode logits with respect to the params; the update by state.tx; the new batch_stats.")
    expect_match(part(got.out, "metrics"), ref.out["metrics"], rtol=2e-5, atol=2e-6, exact_dtype=True,
                 call=f"{_adam_call(g)}: the metrics returned",
                 hint="loss and accuracy (float32 scalars) of this step's train-mode logits, before the update.")


@pytest.mark.task("trainstate.train_step")
def test_train_step_uses_the_states_optimizer(run):
    """Rejects: an optimizer built inside the step (optax.adam(...) or optax.sgd(...)) instead of state.tx, a
    learning rate of its own, a plain SGD update written by hand."""
    got, ref = run(probes.train_step_momentum)
    g = ref.given
    call = (f"Two jitted train_step calls from a state at step {g['start']} whose optimizer is gradient clipping "
            f"({g['clip']:.3f}) then optax.sgd({g['lr']:.4f}, momentum={g['momentum']:.3f})")
    expect_match(part(got.out, "states"), ref.out["states"], rtol=2e-5, atol=2e-6, exact_dtype=True,
                 call=f"{call}: the states returned",
                 hint="the update must be the one the state's own optimizer computes (state.tx, as "
                      "state.apply_gradients uses it), whatever optimizer that is.")
    expect_match(part(got.out, "metrics"), ref.out["metrics"], rtol=2e-5, atol=2e-6, exact_dtype=True,
                 call=f"{call}: the metrics returned")


def _expect_same_structure(report) -> None:
    """The state a jitted train_step returns keeps the static fields of the one it was given: one trace."""
    expect(report["tx_kept"] is True,
           "train_step returned a state whose tx is not the optimizer of the state it was given. tx is a static "
           "field of the TrainState: a new optimizer object changes the state's structure, so jax.jit traced "
           f"train_step {report['traces']} times for {report['calls']} calls. Keep state.tx.")
    expect(report.get("apply_fn_kept", True) is True,
           "train_step returned a state whose apply_fn is not the one it was given; apply_fn is a static field, "
           "so jax.jit traces again at every call.")
    expect(report["traces"] == 1,
           f"jax.jit traced train_step {report['traces']} times for {report['calls']} calls with same-shaped "
           "batches, expected 1: the state it returns must have the structure, dtypes and shapes of the one it "
           "was given.")


@pytest.mark.task("trainstate.train_step")
def test_train_step_compiles_once(run):
    """Rejects: a new optimizer stored in the returned state (state.replace(tx=...)) or a new TrainState built
    with another apply_fn, which change the state's static fields so that jax.jit traces every call."""
    got, _ = run(probes.train_step_adam)
    _expect_same_structure(got.report)
    other, _ = run(probes.train_step_momentum)
    _expect_same_structure(other.report)


@pytest.mark.task("trainstate.train_step")
def test_train_step_fresh_dropout_key(run):
    """Rejects: rngs={'dropout': state.key} (the same masks at every step), a key that does not depend on
    state.step, a key folded or split another way than fold_in(state.key, state.step)."""
    got, ref = run(probes.train_step_adam)
    g = ref.given
    first, later = part(got.out, "metrics", 0, "loss"), part(got.out, "later", "metrics", "loss")
    if _array(first) and _array(later):
        expect(not np.array_equal(first, later),
               f"train_step gave the same loss on the same params and batch at step 0 and at step {g['later']}: the "
               "dropout masks do not change with state.step. Derive the key with jax.random.fold_in(state.key, "
               "state.step).")
    expect_match(part(got.out, "later"), ref.out["later"], rtol=2e-5, atol=2e-6, exact_dtype=True,
                 call=f"A jitted train_step call on the first state and batch of that run, with state.step set to "
                      f"{g['later']}",
                 hint="the dropout key must be exactly jax.random.fold_in(state.key, state.step).")


# ------------------------------------------------------------------------------------------ eval_step
def _eval_call(g) -> str:
    return f"eval_step(state, batch) on a state with drawn running averages and a batch of {g['n']}"


@pytest.mark.task("trainstate.eval_step")
def test_eval_step_depends_on_each_example_only(run):
    """Rejects: train=True at evaluation (dropout drawn from state.key, batch statistics), batch statistics
    without dropout, a summed loss or accuracy."""
    got, ref = run(probes.eval_step_metrics)
    g = ref.given
    whole, other = part(got.out, "batch"), part(got.out, "other_key")
    singles = part(got.out, "singles")
    for metric in ("loss", "accuracy"):
        value, changed = part(whole, metric), part(other, metric)
        if _array(value) and _array(changed) and value.shape == changed.shape == ():
            expect(np.array_equal(value, changed),
                   f"{_eval_call(g)}: the {metric} changed when only state.key changed. Evaluation draws nothing "
                   "from the key: no dropout.")
        parts = [part(s, metric) for s in singles] if isinstance(singles, list) else []
        if len(parts) == g["n"] and all(_array(p) and p.shape == () for p in parts) and _array(value) \
                and value.shape == ():
            total, mean = float(np.sum(parts)), float(np.mean(parts))
            summed = np.isclose(float(value), total, rtol=1e-4, atol=1e-6) and not np.isclose(total, mean, rtol=1e-4)
            expect(not summed, f"{_eval_call(g)}: the loss of the batch is the sum of the losses of its examples, "
                               "not their mean." if metric == "loss" else
                               f"{_eval_call(g)}: the accuracy of the batch is the number of correctly classified "
                               "examples, not their fraction.")
            expect(bool(np.isclose(float(value), mean, rtol=1e-4, atol=1e-6)),
                   f"{_eval_call(g)}: the {metric} of the whole batch ({float(value):.5f}) is not the mean of the "
                   f"{metric} of its examples evaluated one at a time ({mean:.5f}): an example's result depends on "
                   "the rest of its batch. In evaluation mode BatchNorm uses the running averages (train=False), so "
                   "each example's logits depend on that example only.")


@pytest.mark.task("trainstate.eval_step")
def test_eval_step_matches_reference(run):
    """Rejects: train=True at evaluation, another loss (summed, or on probabilities), accuracy as a count or with
    argmax over the wrong axis, metrics that are not float32 scalars."""
    got, ref = run(probes.eval_step_metrics)
    expect_match(got.out, ref.out, rtol=1e-5, atol=1e-6, exact_dtype=True,
                 call=f"{_eval_call(ref.given)} under jax.jit (also with another state.key, and on each example "
                      "alone)",
                 hint="logits from state.apply_fn with train=False; the mean integer-label softmax cross-entropy and "
                      "the fraction of correct argmax predictions, both float32 scalars.")


# ------------------------------------------------------------------------------------------ adam_update
RUN_CALLS = {"fresh_jit": "three jitted steps from a fresh state",
             "counted_eager": "two eager steps from a state that has already counted {count} steps",
             "defaults": "one eager step from a state at count {count}, with the default b1, b2 and eps"}


def _adam_np(g, grads, count, mu, nu, *, eps_inside=False, correction="new", sign=-1.0) -> dict:
    """One Adam step in NumPy (float64), with a chosen mistake, for the diagnosis only."""
    b1, b2, eps, lr = g["b1"], g["b2"], g["eps"], g["learning_rate"]
    t = {"new": count + 1, "old": count, "none": None}[correction]
    out = {}
    with np.errstate(all="ignore"):
        for k, grad in grads.items():
            grad = np.asarray(grad, np.float64)
            m = b1 * np.asarray(mu[k], np.float64) + (1 - b1) * grad
            v = b2 * np.asarray(nu[k], np.float64) + (1 - b2) * grad ** 2
            if t is not None:
                m, v = m / (1 - b1 ** t), v / (1 - b2 ** t)
            out[k] = np.asarray(sign * lr * m / (np.sqrt(v + eps) if eps_inside else np.sqrt(v) + eps))
    return out


ADAM_MISTAKES = {"eps inside the square root": {"eps_inside": True},
                 "no bias correction": {"correction": "none"},
                 "bias correction with the count before the increment (t = count, not count + 1)": {"correction": "old"},
                 "the sign of the update flipped (updates are added to the params, so they carry the minus sign)":
                     {"sign": 1.0}}


@pytest.mark.task("trainstate.adam_update")
def test_adam_update_calls_no_optax(run):
    """Rejects (an in-process rule: it tells an honest student what not to use and cannot stop code that undoes
    it): calling optax (optax.adam, optax.scale_by_adam, the optax.tree_utils moment helpers ...) inside
    adam_update."""
    got, _ = run(probes.adam_against_optax)
    calls = got.report["optax_calls"]
    expect(calls == [], f"adam_update called {', '.join(calls)}: this task asks you to write Adam's update yourself, "
                        "without optax (an in-process rule of the grader).")


@pytest.mark.task("trainstate.adam_update")
def test_adam_update_leaves_its_inputs_alone(run):
    """Rejects: writing the new count or moments into the opt_state dict it was given (visible only eagerly)."""
    got, ref = run(probes.adam_against_optax)
    expect(got.report["opt_state_intact"] is True,
           "adam_update changed the opt_state dict it was given (seen in an eager call). Build and return a new "
           "dict: the caller still holds the old one.")
    expect_match(part(got.out, 1, 0, "updates"), ref.given["runs"][1]["optax"][0]["updates"], rtol=1e-4,
                 atol=1e-9 * ref.given["runs"][1]["learning_rate"],
                 call="adam_update called eagerly from a state that has already counted steps, compared with optax.adam")


@pytest.mark.task("trainstate.adam_update")
def test_adam_update_matches_optax(run):
    """Rejects: eps inside the square root, no bias correction, bias correction with the old count, the update's
    sign flipped, moments not carried over, hard-coded hyper-parameters or defaults, a count of another dtype."""
    got, ref = run(probes.adam_against_optax)
    for index, g in enumerate(ref.given["runs"]):
        call = (f"adam_update with learning_rate={g['learning_rate']:.4g}, b1={g['b1']:.4g}, b2={g['b2']:.4g}, "
                f"eps={g['eps']:.2g}: " + RUN_CALLS[g["name"]].format(count=g["count"]) +
                ", on gradients of very different sizes (some of the size of eps, some exactly 0)")
        steps = part(got.out, index)
        first = part(steps, 0, "updates")
        if isinstance(first, dict) and set(first) == set(g["grads"][0]):
            for mistake, options in ADAM_MISTAKES.items():
                wrong = _adam_np(g, g["grads"][0], g["count"], g["mu"], g["nu"], **options)
                right = g["optax"][0]["updates"]
                if tree_problem(first, wrong, rtol=1e-3, atol=1e-9 * g["learning_rate"]) is None and \
                        tree_problem(wrong, right, rtol=1e-3, atol=1e-9 * g["learning_rate"]) is not None:
                    expect(False, f"{call}: the first updates equal Adam's with {mistake}.")
        updates = [part(s, "updates") for s in steps] if isinstance(steps, list) else steps
        states = [part(s, "state") for s in steps] if isinstance(steps, list) else steps
        expect_match(updates, [s["updates"] for s in g["optax"]], rtol=1e-4, atol=1e-9 * g["learning_rate"],
                     exact_dtype=True, call=f"{call}: the updates, compared with optax.adam's on the same gradients",
                     hint="t = count + 1; mu and nu are moving averages of g and g**2; divide them by 1 - b1**t and "
                          "1 - b2**t; the update is -learning_rate * mu_hat / (sqrt(nu_hat) + eps).")
        expect_match(states, [{"count": s["count"], "mu": s["mu"], "nu": s["nu"]} for s in g["optax"]], rtol=1e-4,
                     atol=0.0, exact_dtype=True, call=f"{call}: the new states, compared with optax.adam's",
                     hint="return {'count': count + 1 (int32), 'mu': ..., 'nu': ...}, the moments shaped like grads.")


# ------------------------------------------------------------------------------------------ fit
def _fit_call(g) -> str:
    return (f"fit(state, data with {g['n_train']} training and {g['n_test']} test examples, "
            f"num_epochs={g['num_epochs']}, batch_size={g['batch_size']}, key=...)")


def _rows(batch_x, table) -> list[int] | None:
    """The training rows a recorded batch holds (by value), or None if a row is not one of them."""
    rows = []
    for row in batch_x:
        hits = np.flatnonzero(np.all(table == row, axis=1))
        if not len(hits):
            return None
        rows.append(int(hits[0]))
    return rows


@pytest.mark.task("trainstate.fit")
def test_fit_epochs(run):
    """Rejects: keeping the last partial batch, one order for every epoch, shuffling with NumPy or another key,
    evaluating on the training set or after every batch, the last batch's loss instead of the epoch's mean,
    the state not threaded through the calls."""
    got, ref = run(probes.fit_epochs)
    for name in ("partial", "divides", "one_batch"):
        g = ref.given[name]
        call = _fit_call(g)
        n, size, epochs = g["n_train"], g["batch_size"], g["num_epochs"]
        per_epoch = n // size
        calls = part(got.out, name, "train_calls")
        if isinstance(calls, list) and all(_array(part(c, "x")) and part(c, "x").ndim == 2 for c in calls):
            sizes = [int(part(c, "x").shape[0]) for c in calls]
            if n % size and len(calls) == epochs * -(-n // size) and sorted(set(sizes)) == sorted({size, n % size}):
                expect(False, f"{call}: train_step also received the last partial batch of {n % size} examples in "
                              f"each epoch. Only the {per_epoch} full batches of {size} are trained on.")
            expect(set(sizes) <= {size},
                   f"{call}: train_step received batches of sizes {sorted(set(sizes))}; every batch has {size} "
                   "examples.")
            expect(len(calls) == epochs * per_epoch,
                   f"{call}: train_step was called {len(calls)} times, expected {epochs * per_epoch} ({epochs} "
                   f"epoch(s) of {n} // {size} = {per_epoch} batches).")
            orders = [_rows(part(c, "x"), g["train_x"]) for c in calls]
            if epochs > 1 and all(o is not None for o in orders):
                epoch_orders = [sum(orders[e * per_epoch:(e + 1) * per_epoch], []) for e in range(epochs)]
                ref_orders = [sum((_rows(c["x"], g["train_x"]) for c in
                                   ref.out[name]["train_calls"][e * per_epoch:(e + 1) * per_epoch]), [])
                              for e in range(epochs)]
                expect(not (all(o == epoch_orders[0] for o in epoch_orders)
                            and not all(o == ref_orders[0] for o in ref_orders)),
                       f"{call}: every epoch visited the training examples in the same order. Draw each epoch's "
                       "order from jax.random.fold_in(key, epoch).")
        evals = part(got.out, name, "eval_calls")
        if isinstance(evals, list):
            expect(len(evals) == epochs,
                   f"{call}: eval_step was called {len(evals)} times, expected {epochs} (once after each epoch).")
            for e in evals:
                x = part(e, "x")
                expect(not (_array(x) and x.shape == g["train_x"].shape and np.array_equal(x, g["train_x"])),
                       f"{call}: eval_step received the training set; evaluate on the test set.")
                expect(_array(x) and x.shape == g["test_x"].shape,
                       f"{call}: eval_step received a batch of shape {getattr(x, 'shape', None)}; evaluate on the "
                       f"whole test set, of shape {g['test_x'].shape}.")
        expect_match(part(got.out, name), ref.out[name], rtol=1e-5, atol=1e-6, call=call,
                     hint="order = jax.random.permutation(jax.random.fold_in(key, epoch), n_train); n_train // "
                          "batch_size full batches; the epoch's mean loss; eval_step on the whole test set after "
                          "each epoch; the state returned by the last train_step.")


@pytest.mark.task("trainstate.fit")
def test_fit_history_holds_python_floats(run):
    """Rejects: a history of JAX or NumPy scalars instead of Python floats."""
    got, ref = run(probes.fit_epochs)
    for name in ("partial", "divides", "one_batch"):
        types = got.report[name]["history_types"]
        wrong = sorted({t for values in types.values() for t in values} - {"float"})
        expect(not wrong, f"{_fit_call(ref.given[name])} returned a history holding {wrong}; the docstring promises "
                          "Python floats (float(...) of a scalar).")
        expect_match(part(got.out, name, "history"), ref.out[name]["history"], rtol=1e-5, atol=1e-6,
                     call=f"The history returned by {_fit_call(ref.given[name])}")
