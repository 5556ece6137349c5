"""Hidden checks for topic `nnx`.

Each check compares what the student's code returned or left in the NNX objects it was given (``got.out``: model
states by path, variable type names, model outputs, losses, histories; ``got.read``: what a trusted reader found
in the files it wrote) with what the reference gives on the same drawn inputs, computed in the grader's own
process (``ref``). Facts measured beside the student's code (``got.report``: convolution primitives in a jaxpr,
trace counts, whether a save was complete on return, whether a restore initialised a model concretely) only ever
take points away. Docstrings list the mistakes each check rejects.
"""
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, tree_problem
from autograder.sandbox.probes import nnx as probes


def _out(got) -> dict:
    return got.out if type(got.out) is dict else {}


def _array(value):
    return value if type(value) is np.ndarray else None


def _models_differ_at(got_state, ref_state, prefix: str, **tolerance) -> str | None:
    """The first variable path (of a {path: array} state) whose value differs, as a phrase, or None."""
    if type(got_state) is not dict:
        return None
    for path in sorted(ref_state):
        if path in got_state and tree_problem(got_state[path], ref_state[path], **tolerance) is not None:
            return f"{prefix}{path}"
    return None


# ------------------------------------------------------------------------------------------ conv2d
def _case_call(name: str, case) -> str:
    (n, h, w, ci, co, kh, kw), strides, padding = case
    return (f"conv2d(x, kernel, {tuple(strides)}, {padding!r}) on the case {name!r}: x of shape ({n}, {h}, {w}, {ci}), "
            f"kernel of shape ({kh}, {kw}, {ci}, {co})")


@pytest.mark.task("nnx.conv2d")
def test_conv2d_computes_the_convolution(run):
    """Rejects: a flipped kernel (signal-processing convolution), SAME padding split evenly as k // 2 on both sides
    or with the odd zero before, strides done by subsampling a stride-1 SAME output, strides ignored, patch and
    kernel flattened in different orders, input and output channels swapped, any convolution routine (lax.conv*,
    conv_general_dilated_patches, jnp.convolve, nnx.Conv)."""
    got, ref = run(probes.conv2d_values)
    used = got.report["uses_conv"]
    expect(used == [], f"The jaxpr of conv2d contains a conv_general_dilated primitive (for the cases {used}): a "
                       "convolution routine did the work. Build the patches yourself from slices of the (padded) "
                       "image and contract them with the kernel using jnp.einsum.")
    out = _out(got)
    for name, case in ref.given["cases"].items():
        expect_match(out.get(name), ref.out[name], rtol=1e-4, atol=1e-4, exact_dtype=True,
                     call=_case_call(name, case),
                     hint="out[n, i, j, o] sums xp[n, i * sh + a, j * sw + b, c] * kernel[a, b, c, o] over a, b, c, "
                          "with no flip; SAME gives ceil(H / sh) rows and pads total // 2 before and the rest after.")


@pytest.mark.task("nnx.conv2d")
def test_conv2d_under_jit_and_grad(run):
    """Rejects: Python control flow on array values or shapes taken from traced values (fails under jax.jit),
    operations without a gradient (integer casts, argmax-based gathers)."""
    got, ref = run(probes.conv2d_values)
    out = _out(got)
    (n, h, w, ci, co, kh, kw), strides, padding = ref.given["cases"]["strided_same"]
    expect_match(out.get("jit"), ref.out["jit"], rtol=1e-4, atol=1e-4, exact_dtype=True,
                 call=f"jax.jit(conv2d, static_argnums=(2, 3)) with strides {tuple(strides)} and {padding!r} on x of "
                      f"shape ({n}, {h}, {w}, {ci}) and a ({kh}, {kw}, {ci}, {co}) kernel",
                 hint="compute shapes from x.shape and kernel.shape (static under jit), never from array values.")
    (n, h, w, ci, co, kh, kw), strides, padding = ref.given["cases"]["even_kernel_same"]
    expect_match(out.get("grad"), ref.out["grad"], rtol=1e-4, atol=1e-4,
                 call=f"jax.grad of sum(sin(conv2d(x, kernel, {tuple(strides)}, {padding!r}))) with respect to x "
                      f"and kernel, x of shape ({n}, {h}, {w}, {ci}) and kernel ({kh}, {kw}, {ci}, {co})",
                 hint="padding, slicing, stacking and einsum are all differentiable: keep to them.")


# ------------------------------------------------------------------------------------------ receptive_field
@pytest.mark.task("nnx.receptive_field")
def test_receptive_field_values(run):
    """Rejects: the sum of the kernel sizes, forgetting the + 1 (or counting it per layer), multiplying by a
    layer's own stride (or all strides), ignoring the strides, a NumPy or JAX integer instead of a Python int."""
    got, ref = run(probes.receptive_field_values)
    wrong = {name: kind for name, kind in got.report["types"].items() if kind != "int"}
    expect(not wrong, f"receptive_field returned {wrong} where the docstring promises a Python int.")
    out = _out(got)
    for name, (kernels, strides) in ref.given["calls"].items():
        expect_match(out.get(name), ref.out[name], call=f"receptive_field({kernels}, {strides})",
                     hint="each layer adds (kernel - 1) times the product of the strides of the layers before it; "
                          "with no layer the field is 1.")


# ------------------------------------------------------------------------------------------ linen_to_nnx
@pytest.mark.task("nnx.linen_to_nnx")
def test_linen_to_nnx_copies_every_variable(run):
    """Rejects: binding plain arrays to the attributes (the variables lose their Param/BatchStat type), batch_stats
    not copied, scale and bias or mean and var swapped, transposed kernels, Dense_0 and Dense_1 swapped, a new
    model returned instead of changing the one given, the given variables modified."""
    got, ref = run(probes.linen_copy)
    out = _out(got)
    kinds = out.get("kinds")
    if type(kinds) is dict:
        lost = sorted(path for path, kind in ref.out["kinds"].items() if path in kinds and kinds[path] != kind)
        expect(not lost, f"After linen_to_nnx the variables at {lost} are no longer of their NNX types (e.g. "
                         f"{lost[0] if lost else ''} is a {kinds.get(lost[0]) if lost else ''}): binding a plain "
                         "array to the attribute replaces the variable. Write into it with variable[...] = array "
                         "(or nnx.update), so that a Param stays a Param and an optimizer still trains it.")
    expect(got.report["variables_intact"] is True,
           "linen_to_nnx modified the Linen variables it was given; only the NNX model is to change.")
    d_in, hidden, classes = ref.given["sizes"]
    where = _models_differ_at(out.get("state"), ref.out["state"], "")
    expect_match(out.get("state"), ref.out["state"], exact_dtype=True,
                 call=f"The MLP's state after linen_to_nnx(variables, model) with in_features={d_in}, hidden={hidden}, "
                      f"num_classes={classes}" + (f" (first differing variable: {where})" if where else ""),
                 hint="Dense_0 goes to linear1 and Dense_1 to linear2, kernels unchanged ((in, out) on both sides); "
                      "BatchNorm_0's scale and bias are in 'params', its mean and var in 'batch_stats'; the dropout "
                      "RNG state stays as it was.")
    expect_match(out.get("kinds"), ref.out["kinds"], call="The variable types of the MLP after linen_to_nnx")


@pytest.mark.task("nnx.linen_to_nnx")
def test_linen_to_nnx_gives_linen_outputs(run):
    """Rejects: everything that changes what the model computes (a missing or swapped variable), changing the
    model's mode (it was in evaluation mode), touching the dropout RNG state."""
    got, ref = run(probes.linen_copy)
    out = _out(got)
    expect_match(out.get("eval"), ref.out["eval"], rtol=1e-5, atol=1e-5,
                 call="The MLP's output right after linen_to_nnx, in the evaluation mode it was given in (what "
                      "LinenMLP.apply(variables, x, train=False) computes)",
                 hint="every Linen array must land in its NNX variable; do not change the model's mode.")
    expect_match(out.get("train"), ref.out["train"], rtol=1e-5, atol=1e-5,
                 call="The MLP's output after model.train() (batch statistics, its own dropout stream)",
                 hint="leave the dropout RNG state alone; copy BatchNorm's scale and bias.")
    expect_match(out.get("after_train"), ref.out["after_train"], rtol=1e-5, atol=1e-6,
                 call="The MLP's state after that train-mode call (running averages updated from the copied ones)",
                 hint="the running mean and var come from variables['batch_stats'].")


# ------------------------------------------------------------------------------------------ make_cnn
@pytest.mark.task("nnx.make_cnn")
def test_make_cnn_variables(run):
    """Rejects: other attribute names, a bias on the convolutions, a head sized for another flattening, Dropout
    without rngs (no RNG stream of its own, or an extra nnx.Rngs attribute), extra or missing layers."""
    got, ref = run(probes.cnn_behaviour)
    layout = _out(got).get("layout")
    c1, c2 = ref.given["channels"]
    call = (f"make_cnn(({c1}, {c2}), {ref.given['classes']}, {ref.given['dropout_rate']}, rngs): the variables of "
            "nnx.state(model) by path (type, shape, dtype)")
    if type(layout) is dict:
        missing, extra = sorted(set(ref.out["layout"]) - set(layout)), sorted(set(layout) - set(ref.out["layout"]))
        expect(not missing and not extra,
               f"{call}: missing {missing}, unexpected {extra}. Name the layers conv1, bn1, conv2, bn2, dropout and "
               "head, without a bias on the convolutions, and give Dropout rngs=rngs (it keeps the stream under "
               "dropout/rngs); no other variable.")
    expect_match(layout, ref.out["layout"], call=call,
                 hint="conv1 (3, 3, 1, c1), conv2 (3, 3, c1, c2), BatchNorm scale/bias (Param) and mean/var "
                      "(BatchStat), head (16 * c2, num_classes).")


@pytest.mark.task("nnx.make_cnn")
def test_make_cnn_evaluation_mode(run):
    """Rejects: layers in another order, relu before BatchNorm, SAME vs VALID or the stride on the wrong
    convolution, a flattening in another order (channels first) or a pooling, a softmax on the logits, a `train`
    argument in __call__ that overrides model.eval() (Linen habit), dropout or batch statistics at evaluation,
    anything that changes the state in evaluation mode, Python control flow on array values (fails under
    nnx.jit)."""
    got, ref = run(probes.cnn_behaviour)
    out = _out(got)
    missing = got.report["unassigned"]
    expect(missing == [], f"The model has no variables at {missing}, so drawn values could not be set there: see the "
                          "check of the model's variables.")
    n = ref.given["batch"]
    expect_match(out.get("eval"), ref.out["eval"], rtol=1e-4, atol=1e-5, exact_dtype=True,
                 call=f"model.eval(); model(x) twice under nnx.jit on a ({n}, 8, 8, 1) batch, the model holding "
                      "drawn parameters and running averages",
                 hint="relu(bn1(conv1(x))), relu(bn2(conv2(.))), reshape to (N, -1), dropout, head; at evaluation "
                      "BatchNorm uses the running averages and dropout is off (let model.eval() decide).")
    expect_match(out.get("eval_state"), ref.out["eval_state"], exact_dtype=True,
                 call="The model's state after those evaluation-mode calls (nothing may change)",
                 hint="in evaluation mode neither the running averages nor the dropout RNG move.")
    expect_match(out.get("eval_after"), ref.out["eval_after"], rtol=1e-4, atol=1e-5,
                 call="model.eval(); model(x) on a new batch after the training-mode calls",
                 hint="evaluation uses the running averages that training updated.")


@pytest.mark.task("nnx.make_cnn")
def test_make_cnn_training_mode(run):
    """Rejects: BatchNorm's default momentum 0.99, BatchNorm fixed to running averages, Dropout fixed to
    deterministic (or a rate of 1 - p), dropout before the flattening or on another layer, a mask that does not
    come from the dropout's own stream."""
    got, ref = run(probes.cnn_behaviour)
    out = _out(got)
    trained = out.get("train")
    if type(trained) is list and len(trained) == 2 and all(_array(t) is not None for t in trained):
        same = trained[0].shape == trained[1].shape and np.allclose(trained[0], trained[1], rtol=1e-5, atol=1e-6)
        expect(not same, "Two training-mode calls of the model on the same batch gave the same output: dropout is not "
                         "active in training mode (or draws the same mask every call). Create nnx.Dropout with "
                         "rngs=rngs and let model.train() switch it on.")
    n = ref.given["batch"]
    expect_match(trained, ref.out["train"], rtol=1e-4, atol=1e-5,
                 call=f"model.train(); model(x) twice on a ({n}, 8, 8, 1) batch, under nnx.jit and then eagerly "
                      "(drawn parameters, running averages and dropout key)",
                 hint="in training mode BatchNorm normalises with the batch statistics, and Dropout masks the "
                      "flattened features with a new key from its stream at every call.")
    expect_match(out.get("train_state"), ref.out["train_state"], rtol=1e-5, atol=1e-6,
                 call="The model's state after those two training-mode calls (running averages and dropout count)",
                 hint="BatchNorm(momentum=0.9): each call moves the running averages 10% of the way to the batch "
                      "statistics; each call advances the dropout count by one.")


# ------------------------------------------------------------------------------------------ train_step
def _count(state, path):
    value = state.get(path) if type(state) is dict else None
    return int(value) if type(value) is np.ndarray and value.shape == () and value.dtype.kind in "iu" else None


@pytest.mark.task("nnx.train_step")
def test_train_step_matches_reference(run):
    """Rejects: a second forward pass (logits computed outside the differentiated function: statistics and dropout
    count advance twice), optimizer.update never called or called twice, a new Optimizer built inside the step (the
    given one never moves), evaluation mode inside the step, the sum instead of the mean, the loss after the
    update, gradients of more than the Params."""
    got, ref = run(probes.train_step_run)
    out = _out(got)
    given = ref.given
    call = (f"Three nnx.jit(train_step) calls on a make_cnn model (channels {given['channels']}, "
            f"dropout {given['dropout_rate']}) in training mode with nnx.Optimizer(model, {given['optimizer']}, "
            "wrt=nnx.Param)")
    start = given["count"]
    count, expected = _count(out.get("model"), "dropout/rngs/count"), _count(ref.out["model"], "dropout/rngs/count")
    if count is not None and count != expected:
        moved, steps = count - start, expected - start
        expect(moved != 2 * steps,
               f"{call}: the dropout RNG count moved by {moved} in {steps} steps: the model ran twice per step. Call "
               "it once, inside the function you differentiate, and take the loss from there.")
        expect(moved != 0, f"{call}: the dropout RNG count did not move: the model ran in evaluation mode (or not at "
                           "all). Leave the mode as the caller set it.")
    opt_step = _count(out.get("optimizer"), "step")
    if opt_step is not None:
        expect(opt_step != 0, f"{call}: optimizer.step is still 0: the optimizer you were given was never updated. "
                              "Call optimizer.update(model, grads) on it (do not build a new one in the step).")
    expect_match(out.get("losses"), ref.out["losses"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the losses of the jitted steps",
                 hint="the mean softmax cross-entropy of model(x) before the update.")
    where = _models_differ_at(out.get("model"), ref.out["model"], "model/", rtol=1e-4, atol=1e-5)
    expect_match(out.get("model"), ref.out["model"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the model's state afterwards" + (f" (first differing variable: {where})" if where else ""),
                 hint="one forward pass inside nnx.value_and_grad, then optimizer.update(model, grads).")
    expect_match(out.get("optimizer"), ref.out["optimizer"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the optimizer's state afterwards", hint="one optimizer.update per step.")


@pytest.mark.task("nnx.train_step")
def test_train_step_traces_once_and_returns_the_loss(run):
    """Rejects: float(loss) or .item() (fails under nnx.jit), a loss of another dtype or shape (the sum over the
    batch is fine in shape, not in value), a step whose traced structure changes between calls (retraced every
    call)."""
    got, ref = run(probes.train_step_run)
    expect(got.report["traces"] == 1,
           f"nnx.jit traced train_step {got.report['traces']} times for 3 calls with same-shaped batches, expected 1: "
           "what the step changes must keep its structure and types.")
    expect_match(_out(got).get("losses"), ref.out["losses"], rtol=1e-4, atol=1e-5, exact_dtype=True,
                 call="The losses returned by three nnx.jit(train_step) calls",
                 hint="return this step's loss as a float32 scalar array (no float(): the step runs under nnx.jit).")


# ------------------------------------------------------------------------------------------ fit
@pytest.mark.task("nnx.fit")
def test_fit_trains_and_evaluates(run):
    """Rejects: no model.train() (the model came in evaluation mode), no model.eval() before evaluating (test
    accuracy with batch statistics and dropout, and the model left in training mode), evaluating once at the end
    or on the training set, one permutation for every epoch or a key not folded with the epoch, a kept partial
    batch, an optimizer rebuilt every epoch or built for every variable, not Adam or another learning rate."""
    got, ref = run(probes.fit_run)
    given = ref.given
    out = _out(got)
    call = (f"fit(model, data, num_epochs=2, batch_size={given['batch_size']}, learning_rate="
            f"{given['learning_rate']:.4g}, key=...) on {given['n_train']} training and {given['n_test']} test digits, "
            "the model given in evaluation mode")
    history = out.get("history")
    expect_match(history if type(history) is dict else None, ref.out["history"],
                 rtol=1e-4, atol=1.01 / given["n_test"],
                 call=f"{call}: the history", hint="one mean training loss and one test accuracy per epoch, as Python "
                                                   "floats; model.train() before training, model.eval() before testing.")
    where = _models_differ_at(out.get("model"), ref.out["model"], "model/", rtol=1e-4, atol=1e-5)
    expect_match(out.get("model"), ref.out["model"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the trained model's state" + (f" (first differing variable: {where})" if where else ""),
                 hint=f"{given['steps']} steps in all: n_train // batch_size per epoch in the order of "
                      "permutation(fold_in(key, epoch), n_train), in training mode, with one Adam optimizer for "
                      "nnx.Param.")
    expect_match(out.get("after"), ref.out["after"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the model's output on new images after fit, in the mode fit left it in",
                 hint="leave the model in evaluation mode.")


@pytest.mark.task("nnx.fit")
def test_fit_compiles_the_step_once(run):
    """Rejects: nnx.jit(train_step) built inside the loop (a trace per step), no jit at all (every step run
    eagerly)."""
    got, ref = run(probes.fit_run)
    calls, traces = got.report["step_calls"], got.report["step_traces"]
    expect(traces == 1 and calls == 1,
           f"During fit, train_step ran {calls} times in Python, {traces} of them while tracing, for "
           f"{ref.given['steps']} steps; expected a single trace: build nnx.jit(train_step) once, before the loops, and "
           "call that.")
    expect_match(_out(got).get("history"), ref.out["history"], rtol=1e-4, atol=1.01 / ref.given["n_test"],
                 call="The history of that fit", hint="see the other check of fit.")


# ------------------------------------------------------------------------------------------ train_scan
@pytest.mark.task("nnx.train_scan")
def test_train_scan_writes_the_state_back(run):
    """Rejects: the final state never written back (the caller's model and optimizer unchanged), only the model
    or only the optimizer written back, the state split before train_step returned as the carry (nothing trains),
    a carry that loses the batch statistics or the RNG count."""
    got, ref = run(probes.train_scan_run)
    out = _out(got)
    given = ref.given
    call = (f"train_scan(model, optimizer, xs, ys) with T = {given['steps']} batches of {given['batch']} on a make_cnn "
            f"model in training mode with nnx.Optimizer(model, {given['optimizer']}, wrt=nnx.Param)")
    opt_step = _count(out.get("optimizer"), "step")
    if opt_step is not None:
        expect(opt_step != 0, f"{call}: afterwards optimizer.step is 0: the state the scan returned was not written "
                              "back into the optimizer (nnx.update), or the carry never changed.")
    expect_match(out.get("losses"), ref.out["losses"], rtol=1e-4, atol=1e-5, exact_dtype=True,
                 call=f"{call}: the losses", hint="one loss per batch, from train_step on the merged objects.")
    where = _models_differ_at(out.get("model"), ref.out["model"], "model/", rtol=1e-4, atol=1e-5)
    expect_match(out.get("model"), ref.out["model"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the caller's model afterwards" + (f" (first differing variable: {where})" if where else ""),
                 hint="carry nnx.state of the merged pair out of each step, then nnx.update the originals with the "
                      "final state.")
    expect_match(out.get("optimizer"), ref.out["optimizer"], rtol=1e-4, atol=1e-5,
                 call=f"{call}: the caller's optimizer afterwards",
                 hint="split and write back the optimizer together with the model.")


@pytest.mark.task("nnx.train_scan")
def test_train_scan_compiles_one_step(run):
    """Rejects: a Python loop over the steps (train_step, or nnx.jit(train_step), called T times): the program
    holds no scan and grows with T."""
    got, ref = run(probes.train_scan_run)
    expect(got.report["uses_scan"] is True,
           "Traced for T = 3, the program of train_scan holds no scan: the steps are unrolled by a Python loop, so the "
           "program grows with T. Run them with jax.lax.scan over the split state.")
    expect_match(_out(got).get("losses"), ref.out["losses"], rtol=1e-4, atol=1e-5,
                 call="The losses of train_scan", hint="see the other check of train_scan.")


# ------------------------------------------------------------------------------------------ save_model
@pytest.mark.task("nnx.save_model")
def test_save_model_round_trip(run):
    """Rejects: saving only the Params (nnx.state(model, nnx.Param)), a pure dict instead of the State, returning
    before the background save finished, saving somewhere else than path, changing the model."""
    got, ref = run(probes.save_round_trip)
    expect(got.report["complete_on_return"] is True,
           "When save_model returned, the checkpoint directory was not complete yet (Orbax still writing in the "
           "background): call checkpointer.wait_until_finished() before returning.")
    c1, c2 = ref.given["channels"]
    call = (f"Restoring, without a target, what save_model(model, path) wrote for a make_cnn(({c1}, {c2}), "
            f"{ref.given['classes']}, ...) model holding drawn values")
    read = got.read if type(got.read) is dict else None
    if read is not None:
        expect("unreadable" not in read,
               f"{call}: Orbax could not restore a checkpoint at path (it raised {read.get('unreadable')}). Save to "
               "path itself, and wait until the save is finished.")
        missing = sorted(set(ref.read) - set(read))
        expect(not missing, f"{call}: the checkpoint has no {missing}. Save nnx.state(model) itself: every variable "
                            "(parameters, batch statistics, RNG state), each as Orbax writes a State.")
    expect_match(read, ref.read, rtol=0, atol=0, exact_dtype=True, call=call,
                 hint="checkpointer.save(path, nnx.state(model)), then wait until finished.")
    expect_match(_out(got).get("model_after"), ref.out["model_after"], rtol=0, atol=0,
                 call="The model's state after save_model", hint="saving must not change the model.")


# ------------------------------------------------------------------------------------------ restore_model
@pytest.mark.task("nnx.restore_model")
def test_restore_model_round_trip(run):
    """Rejects: a model built with real initial values instead of nnx.eval_shape, restoring only the Params, the
    restored state not merged (or written into a model that is then not returned), restoring without a target and
    updating a model with the plain dicts, the model returned in training mode, NumPy arrays in the variables."""
    got, ref = run(probes.restore_round_trip)
    expect(got.report["concrete_init"] is False,
           "restore_model called make_cnn outside nnx.eval_shape: it computed a full initialisation just to throw "
           "it away. Build the target with nnx.eval_shape(lambda: make_cnn(...)).")
    wrong = {path: kind for path, kind in got.report["value_types"].items() if kind != "jax.Array"}
    expect(not wrong, f"The restored model holds values that are not jax.Arrays: {wrong}.")
    out = _out(got)
    settings = ref.given
    call = (f"restore_model(path, {tuple(settings['channels'])}, {settings['num_classes']}, {settings['dropout_rate']}) "
            "on a checkpoint of drawn values")
    where = _models_differ_at(out.get("state"), ref.out["state"], "", rtol=0, atol=0)
    expect_match(out.get("state"), ref.out["state"], rtol=0, atol=0, exact_dtype=True,
                 call=f"{call}: the restored model's state" + (f" (first differing variable: {where})" if where else ""),
                 hint="restore into the abstract state from nnx.split(nnx.eval_shape(...)) and merge the result.")
    expect_match(out.get("kinds"), ref.out["kinds"], call=f"{call}: the restored variables' types",
                 hint="the target (the abstract state) gives the restored variables their types.")
    expect_match(out.get("eval"), ref.out["eval"], rtol=1e-5, atol=1e-6,
                 call=f"{call}: the restored model's output, in the mode restore_model returned it in",
                 hint="return the model in evaluation mode.")
    expect_match(out.get("train"), ref.out["train"], rtol=1e-5, atol=1e-6,
                 call=f"{call}: the restored model's output after model.train() (the restored dropout key and count)",
                 hint="restore every variable, the RNG state included.")
