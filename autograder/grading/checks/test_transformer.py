"""Hidden checks for topic `transformer`.

Each check compares what the student's functions returned (``got.out``) with what the reference returned on the
same fresh random inputs, computed in the grader's own process (``ref``), or with an oracle this process computes
from the inputs in ``ref.given``: Flax's ``LayerNorm``, ``jax.nn.dot_product_attention``, a perplexity. Before that
comparison a check may name what it *detected* in ``got.out`` (weights above the diagonal, rows that do not sum to 1,
a derivative toward a later position, targets that are not the inputs shifted by one, scores that depend on absolute
positions). Properties measured beside the student's code (``got.report``) only ever take points away. Docstrings
list the mistakes each check rejects; "in-process rule" marks a check that an honest student is told about but that
code undoing the rule could dodge.
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from autograder.grading.compare import expect, expect_match, float_array, part, tree_problem
from autograder.sandbox.probes import transformer as probes

# float32 results of the same math in another order (einsum paths, fused softmax, two-pass or fast variance)
# differ by about 1e-6 relative; these tolerances are far above that and far below every listed mistake.
RTOL, ATOL = 1e-4, 1e-5


def _forbidden_message(function, called, instead):
    return f"{function} called {', '.join(called)}: {instead}"


# ------------------------------------------------------------------------------------------ einsum_drills
@pytest.mark.task("transformer.einsum_drills")
def test_einsum_drills_values(run):
    """Rejects: matrix products with @, jnp.matmul, jnp.dot, jnp.tensordot, jnp.trace or lax.dot_general (in-process
    rule), fewer than four jnp.einsum calls (in-process rule); the scores in (example, head, key, query) or (example,
    query, head, key) order; summing over the heads or the batch; the sum of all entries instead of the trace; a
    bilinear form summed over the batch."""
    got, ref = run(probes.einsum_drills_values)
    called = got.report["forbidden"]
    expect(called == [], _forbidden_message("einsum_drills", called, "write every contraction as one jnp.einsum "
                                                                     "call; this task is about naming the axes."))
    count, calls = got.report["einsum_calls"], len(ref.given["inputs"])
    expect(type(count) is int and count >= 4 * calls,
           f"einsum_drills called jnp.einsum {count} times in {calls} calls, for four results each: compute each "
           "result with jnp.einsum.")
    sizes = {name: {key: tuple(value.shape) for key, value in inputs.items()} for name, inputs in
             ref.given["inputs"].items()}
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"einsum_drills under jax.jit on random inputs of shapes {sizes['general']}, "
                      f"{sizes['square']} (S == T, one head, batches of one) and {sizes['ones']} (sizes of 1)",
                 hint="batched_matmul keeps the batch axis and sums over r; bilinear keeps only c; scores are ordered "
                      "(example, head, query position, key position); trace repeats one letter on the matrix axes.")


# ------------------------------------------------------------------------------------------ layer_norm
@functools.partial(jax.jit, static_argnames="eps")
def _flax_layer_norm(x, scale, bias, eps):
    import flax.linen as nn

    return nn.LayerNorm(epsilon=eps).apply({"params": {"scale": scale, "bias": bias}}, x)


def flax_layer_norm(case: dict) -> np.ndarray:
    """Flax's LayerNorm with the case's scale, bias and epsilon, applied here in the grader (jitted: one program
    per shape for every student, not one per operation)."""
    return np.asarray(_flax_layer_norm(case["x"], case["scale"], case["bias"], eps=float(case["eps"])))


@pytest.mark.task("transformer.layer_norm")
def test_layer_norm_matches_flax(run):
    """Rejects: no epsilon (NaN on a constant row), epsilon added to the standard deviation instead of the variance,
    the unbiased variance (divided by F - 1: NaN for one feature), normalising over another axis or over every axis,
    scale and bias swapped, no mean subtracted (RMS norm), jax.nn.standardize or Flax's LayerNorm (in-process rule)."""
    got, ref = run(probes.layer_norm_values)
    called = got.report["forbidden"]
    expect(called == [], _forbidden_message("layer_norm", called, "compute the mean and the variance yourself."))
    flax_out = {name: flax_layer_norm(case) for name, case in ref.given.items()}
    out = got.out if type(got.out) is dict else {}
    for name, case in ref.given.items():
        value = float_array(out.get(name), case["x"].shape)
        if value is not None and not np.isfinite(value).all():
            where = {"batch": "where x[0, 0] has all features equal (variance 0: the result there is the bias)",
                     "one_feature": "with a single feature (the result is the bias)"}.get(name, "on random values")
            expect(False, f"layer_norm returned NaN or inf for x of shape {case['x'].shape} (eps {case['eps']:.2e}), "
                          f"{where}: the result must be finite.")
    shapes = {name: tuple(case["x"].shape) for name, case in ref.given.items()}
    epsilons = {name: float(f"{case['eps']:.3g}") for name, case in ref.given.items()}
    expect_match(got.out, flax_out, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"layer_norm(x, scale, bias, eps) compared with Flax's LayerNorm for x of shapes {shapes} "
                      f"(all under jax.jit: `batch` with a constant row, `one_feature` with F == 1, `small_eps` "
                      f"under jax.vmap) and eps {epsilons}",
                 hint="normalise every vector along the last axis with its own mean and biased variance "
                      "(divide by F), eps inside the square root, then times scale plus bias.")


# ------------------------------------------------------------------------------------------ causal_attention
def _attention_call(given):
    shapes = {name: {key: tuple(value.shape) for key, value in case.items()} for name, case in given["cases"].items()}
    return ("causal_attention(q, k, v) under jax.jit on random inputs: "
            + "; ".join(f"{name} q{s['q']} v{s['v']}" for name, s in shapes.items()))


def _weights_diagnosis(weights) -> str | None:
    """What is wrong with returned attention weights of shape (..., T, T), detected from the weights alone."""
    w = float_array(weights)
    if w is None or w.ndim < 2 or w.shape[-1] != w.shape[-2] or w.shape[-1] < 2:
        return None
    length = w.shape[-1]
    if not np.isfinite(w).all():
        return ("Some attention weights are NaN or inf: a row whose scores are all masked has no softmax. Position t "
                "attends to positions 0 .. t, itself included.")
    above = np.triu(np.ones((length, length), bool), 1)
    if np.abs(w[..., above]).max() > 1e-6:
        return ("The attention weights are not 0 above the diagonal: a position attends to later positions. Mask the "
                "scores of every s > t before the softmax.")
    diagonal = np.diagonal(w, axis1=-2, axis2=-1)
    if np.abs(diagonal).max() < 1e-6:
        return ("The attention weights are 0 on the diagonal: a position must attend to itself (the mask keeps "
                "s <= t, not s < t).")
    rows = w.sum(axis=-1)
    if np.abs(rows - 1).max() > 1e-3:
        if np.abs(w.sum(axis=-2) - 1).max() < 1e-3:
            return ("The columns of the attention weights sum to 1, not the rows: the softmax ran over the query axis. "
                    "Normalise over the keys (the last axis).")
        return (f"The rows of the attention weights do not all sum to 1 (one sums to {rows.ravel()[np.argmax(np.abs(rows - 1))]:.4f}): "
                "the masked scores must be removed before the softmax normalises each row.")
    return None


@jax.jit
def _library_attention(q, k, v):
    """jax.nn.dot_product_attention(..., is_causal=True) on (B, H, T, d) arrays (it takes (B, T, H, d))."""
    layout = lambda a: jnp.swapaxes(a, 1, 2)  # noqa: E731
    return layout(jax.nn.dot_product_attention(layout(q), layout(k), layout(v), is_causal=True))


@pytest.mark.task("transformer.causal_attention")
def test_causal_attention_values(run):
    """Rejects: scaling by 1/d or not at all instead of 1/sqrt(d), the softmax over the query axis, the mask applied
    after the softmax (rows no longer sum to 1), the diagonal excluded (NaN in the first row), one future position
    allowed, the mask transposed (attending to the future), a multiplicative mask on the scores, failing without
    leading axes or for T == 1 or dv != d, jax.nn.dot_product_attention (in-process rule)."""
    got, ref = run(probes.causal_attention_values)
    called = got.report["forbidden"]
    expect(called == [], _forbidden_message("causal_attention", called, "compute the scores, the mask and the softmax "
                                                                        "yourself: the weights are part of the result."))
    for name in ref.given["cases"]:
        problem = _weights_diagnosis(part(got.out, name, "weights"))
        expect(problem is None, f"causal_attention on the `{name}` inputs: {problem}")
    heads = ref.given["cases"]["heads"]
    library = np.asarray(_library_attention(*(heads[x] for x in "qkv")))
    expect_match(part(got.out, "heads", "out"), library, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call="causal_attention(q, k, v) under jax.jit with q, k, v of shape "
                      f"{tuple(heads['q'].shape)} compared with jax.nn.dot_product_attention(..., is_causal=True)",
                 hint="weights: softmax over the keys of q.k / sqrt(d), with the scores of later positions set to "
                      "-inf first; out: weights @ v.")
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True, call=_attention_call(ref.given),
                 hint="weights: softmax over the keys of q.k / sqrt(d), with the scores of later positions set to "
                      "-inf first; out: weights @ v.")


@pytest.mark.task("transformer.causal_attention")
def test_causal_attention_ignores_the_future(run):
    """Rejects: any dependence of position t on q, k or v at positions after t (no mask, a transposed mask, one
    future position allowed, a mask applied after the softmax that still lets later scores into the normalisation),
    and derivatives that differ from the reference's (wrong scale, the softmax over the wrong axis), read from
    jax.jacrev of the output with respect to q, k and v."""
    got, ref = run(probes.causal_attention_values)
    small = ref.given["small"]
    length = small["q"].shape[0]
    for name in "qkv":
        jac = float_array(part(got.out, "jacobian", name), ref.out["jacobian"][name].shape)
        if jac is None:
            continue
        for t in range(length):
            leak = np.abs(jac[t, :, t + 1:, :]).max(initial=0.0)
            expect(bool(leak <= 1e-6),
                   f"jax.jacrev of causal_attention's output with respect to {name}: the output at position {t} has a "
                   f"derivative of size {leak:.2e} toward {name} at a later position. Position t may only depend on "
                   "positions 0 .. t: set the later scores to -inf before the softmax.")
    expect_match(part(got.out, "jacobian"), ref.out["jacobian"], rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"jax.jacrev of causal_attention's output with respect to q, k and v (T = {length}, "
                      f"d = {small['q'].shape[1]}, dv = {small['v'].shape[1]}) under jax.jit",
                 hint="the derivatives follow from the values: scores q.k / sqrt(d), masked to -inf above the diagonal, "
                      "softmax over the keys, times v.")


# ------------------------------------------------------------------------------------------ multi_head_attention
@pytest.mark.task("transformer.multi_head_attention")
def test_multi_head_attention_values(run):
    """Rejects: heads split along the wrong axis (reshape to (B, T, dh, H)), a reshape straight to (B, H, T, dh)
    without a transpose (time steps mixed with heads), heads merged without transposing back, one head of width
    H * dh instead of H heads, the scale 1/sqrt(D) or 1/sqrt(H * dh) instead of 1/sqrt(dh), no causal mask, no output
    projection, failing for one head or one token."""
    got, ref = run(probes.multi_head_values)
    given = ref.given
    described = "; ".join(f"{name}: x {tuple(given['x'][name].shape)}, H = {given['heads'][name]}, "
                          f"dh = {given['head_size'][name]}" for name in given["x"])
    expect_match(got.out, ref.out, rtol=RTOL, atol=ATOL, exact_dtype=True,
                 call=f"multi_head_attention(params, x, num_heads) under jax.jit on random inputs ({described})",
                 hint="project, reshape the last axis to (H, dh), swap the head and time axes, attend causally with "
                      "scale 1/sqrt(dh), swap back, reshape to H * dh and project with wo.")


# ------------------------------------------------------------------------------------------ rotary_embedding
@pytest.mark.task("transformer.rotary_embedding")
def test_rotary_embedding_values(run):
    """Rejects: pairs of neighbours (2i, 2i + 1) instead of (i, i + d/2), frequencies base ** (-i/d) or
    base ** (-2i/d) with the wrong base (a fixed 10000), positions 0 .. T - 1 instead of the positions given, a
    rotation the other way (the sign of the sine), cos and sin swapped, an added sinusoidal encoding instead of a
    rotation, failing for T == 1 or under jax.vmap."""
    got, ref = run(probes.rotary_values)
    given = ref.given
    expect_match(got.out, ref.out, rtol=1e-4, atol=1e-4, exact_dtype=True,
                 call=f"rotary_embedding(x, positions, base) under jax.jit with d = {given['d']} (and d + 2), bases "
                      f"{given['bases'][0]:.1f} and {given['bases'][1]:.2f}, rows starting at random positions, "
                      "position 0, T == 1, and under jax.vmap",
                 hint="pair i is (x[..., i], x[..., i + d/2]); its angle is the token's own position times "
                      "base ** (-2 i / d).")


@pytest.mark.task("transformer.rotary_embedding")
def test_rotary_scores_depend_on_the_offset_only(run):
    """Rejects: anything that is not a rotation by position times a fixed frequency per pair: an added sinusoidal
    encoding, a scaling by the position, angles that are not linear in the position (the score of a rotated query
    and key then changes when both positions move by the same offset)."""
    got, ref = run(probes.rotary_values)
    rel = part(got.out, "relative")
    parts = [float_array(part(rel, name), ref.out["relative"][name].shape)
             for name in ("q_near", "k_near", "q_far", "k_far")]
    expect(all(piece is not None for piece in parts),
           "rotary_embedding did not return float arrays shaped like its input for the relative-position test.")
    near, far = parts[0] @ parts[1].T, parts[2] @ parts[3].T
    scale = max(1.0, float(np.abs(near).max()))
    worst = float(np.abs(near - far).max())
    expect(bool(np.isfinite(worst) and worst <= 1e-3 * scale),
           f"Rotating a query and a key at positions m and n, and again at m + {ref.given['offset']} and "
           f"n + {ref.given['offset']}, changed their scores (q . k) by up to {worst:.3g}: with rotary embeddings a "
           "score depends only on m - n. Rotate each pair by the position times a fixed frequency; do not add or "
           "scale.")


# ------------------------------------------------------------------------------------------ char_tokenizer
@pytest.mark.task("transformer.char_tokenizer")
def test_char_tokenizer_values(run):
    """Rejects: characters numbered in order of first appearance instead of sorted, ids from 1, encode returning a
    Python list or a NumPy or int64 array, decode that puts separators between characters or returns a list,
    failing on the empty string, on lists or on NumPy arrays."""
    got, ref = run(probes.tokenizer_values)
    for name, types in got.report["types"].items():
        wrong = {key: kind for key, kind in types.items()
                 if key in ("text", "empty", "one", "piece") and kind != "jax.Array"
                 or key.startswith("decode_") and kind != "str" or key == "chars" and kind != "list"}
        expect(not wrong, f"char_tokenizer on the `{name}` text: {wrong}; encode returns a jax.Array, decode a str and "
                          "chars is a list.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="char_tokenizer(text) on two random texts (spaces, newlines, upper case and non-ASCII "
                      "characters among them): chars, encode of the text, of the empty string, of one character and "
                      "of a piece, and decode of a JAX array, a NumPy int64 array and a list of ids",
                 hint="the ids are positions in sorted(set(text)); encode gives an int32 jax.Array (shape (0,) for "
                      "''), decode joins the characters with nothing in between.")


# ------------------------------------------------------------------------------------------ next_token_batch
@pytest.mark.task("transformer.next_token_batch")
def test_next_token_batch_values(run):
    """Rejects: targets equal to the inputs or shifted the wrong way, window starts drawn with another maxval (one
    past the last valid start reads beyond the end) or with another key derivation (a split first), rows of a
    single window, a (block_size, batch_size) layout, int64 or float results, failing under jax.jit."""
    got, ref = run(probes.batch_values)
    for name, call in ref.given.items():
        x, y = part(got.out, name, "x"), part(got.out, name, "y")
        shape = (call["batch_size"], call["block_size"])
        if type(x) is np.ndarray and type(y) is np.ndarray and x.shape == y.shape == shape and shape[1] > 1:
            expect(not np.array_equal(x, y), f"next_token_batch returned targets equal to the inputs (`{name}` call): "
                                             "the target of each input token is the token that follows it.")
            expect(np.array_equal(y[:, :-1], x[:, 1:]),
                   f"next_token_batch (`{name}` call): the targets are not the inputs shifted by one token "
                   "(y[:, :-1] differs from x[:, 1:]); row b of the targets is ids[s + 1 : s + block_size + 1].")
    described = "; ".join(f"{name}: len(ids) = {len(call['ids'])}, batch_size = {call['batch_size']}, "
                          f"block_size = {call['block_size']}" for name, call in ref.given.items())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"next_token_batch(ids, key, batch_size, block_size) on random ids and keys ({described}; the "
                      "`other` call's key once more for `same_key`)",
                 hint="starts = jax.random.randint(key, (batch_size,), 0, len(ids) - block_size); inputs are the "
                      "windows at the starts, targets the windows one token later; int32.")


# ------------------------------------------------------------------------------------------ cross_entropy
@pytest.mark.task("transformer.cross_entropy")
def test_cross_entropy_values(run):
    """Rejects: a sum over time steps averaged over the batch (or any mean over one axis only), log(softmax) that
    overflows for large logits (NaN or inf), the softmax over another axis, the loss without its minus sign, the
    probability instead of its log, a NumPy or Python result, optax's cross-entropy (in-process rule)."""
    got, ref = run(probes.cross_entropy_values)
    called = got.report["forbidden"]
    expect(called == [], _forbidden_message("cross_entropy", called, "write the log-softmax and the mean yourself."))
    large = part(got.out, "large")
    if type(large) is np.ndarray and large.dtype.kind == "f":
        expect(bool(np.isfinite(large).all()),
               "cross_entropy returned NaN or inf for logits of size about 1e4: exp overflows in float32. Use "
               "jax.nn.log_softmax (or subtract the maximum before exponentiating).")
    sequence = ref.given["sequence"]["logits"].shape
    expect_match(got.out, ref.out, rtol=1e-5, atol=1e-5, exact_dtype=True,
                 call=f"cross_entropy(logits, targets) under jax.jit for logits of shapes {sequence} (`sequence`), "
                      f"{ref.given['flat']['logits'].shape} (`flat`), "
                      f"{ref.given['large']['logits'].shape} of size 1e4 (`large`) and {ref.given['single']['logits'].shape}, "
                      "and jax.grad with respect to the `sequence` logits",
                 hint="minus the mean over every position (all batch rows and time steps) of the log-softmax at the "
                      "target.")


# ------------------------------------------------------------------------------------------ transformer_lm
@pytest.mark.task("transformer.transformer_lm")
def test_transformer_lm_values(run):
    """Rejects: post-LN blocks (the layer norm after the residual sum), no final layer norm, no position embedding,
    positions that continue across the rows of the batch, a missing residual connection, an MLP without gelu or
    with relu, the MLP before the attention, one head instead of num_heads, failing for one token or one layer."""
    got, ref = run(probes.lm_values)
    given = ref.given
    shapes = {name: tuple(tokens.shape) for name, tokens in given["tokens"].items()}
    expect_match(got.out, ref.out, rtol=1e-4, atol=1e-4, exact_dtype=True,
                 call=f"transformer_lm(params, tokens, num_heads) under jax.jit on random parameters (vocabulary "
                      f"{given['vocab']}, max_len {given['max_len']}; two layers with {given['heads']['two_layers']} "
                      f"heads and one layer with one head) for tokens of shapes {shapes}",
                 hint="x = embed[tokens] + pos[:T]; per block x += attention(layer_norm(x, ln1)) then "
                      "x += mlp(layer_norm(x, ln2)); logits = layer_norm(x, ln_f) @ unembed.")


# ------------------------------------------------------------------------------------------ train_lm
def _perplexity(logits, targets) -> float | None:
    z = float_array(logits, targets.shape + (logits.shape[-1],) if type(logits) is np.ndarray else None)
    if z is None:
        return None
    z = z - z.max(axis=-1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    loss = -np.take_along_axis(log_probs, targets[..., None].astype(np.int64), axis=-1).mean()
    return float(np.exp(loss))


@pytest.mark.task("transformer.train_lm")
def test_train_lm_follows_the_reference_run(run):
    """Rejects: one key for every step (the same batch each step; named when jax.debug_key_reuse sees it), a split
    other than split(key, steps), the loss recorded after the update, the optimiser state initialised again at every
    step, SGD instead of Adam, an update with the wrong sign, losses returned as a list, a hard-coded learning rate or
    batch size; read step by step against the reference's run from the same parameters and key, with the perplexity
    of the trained model on held-out text."""
    got, ref = run(probes.train_values)
    runs = ref.given["runs"]
    reuse = got.report["key_reuse_error"]
    wrong = tree_problem(part(got.out, "first", "losses"), ref.out["first"]["losses"], rtol=1e-4, atol=1e-4)
    # jax.debug_key_reuse also flags a key array indexed inside a loop: only a diagnosis when the losses are wrong.
    expect(reuse is None or wrong is None,
           f"train_lm's losses differ from the reference run's ({wrong}), and jax.debug_key_reuse reports a PRNG key "
           f"used twice ({reuse}): split the key once into one subkey per step, and draw step i's batch with "
           "subkey i.")
    vocab = ref.given["vocab"]
    described = "; ".join(f"{name}: {settings['steps']} steps, batch {settings['batch_size']}, block "
                          f"{settings['block_size']}, {settings['heads']} heads, learning rate "
                          f"{settings['learning_rate']:.4f}" for name, settings in runs.items())
    for name in runs:
        expected = ref.out[name]["losses"]
        mine = part(got.out, name, "losses")
        problem = tree_problem(mine, expected, rtol=1e-4, atol=1e-4, exact_dtype=True)
        if problem is None:
            continue
        first = float_array(mine, expected.shape)
        detail = ""
        if first is not None and np.isfinite(first[0]) and abs(first[0] - expected[0]) > 1e-4:
            detail = (f" losses[0] is {first[0]:.5f}, but the loss of the initial parameters on step 0's batch is "
                      f"{expected[0]:.5f} (about log V = {math.log(vocab):.4f} for this small initialisation, V = "
                      f"{vocab}): record each step's loss before its update, and draw step 0's batch with keys[0].")
        expect(False, f"train_lm under jax.jit on a random text ({described}): the losses of the `{name}` run, step "
                      f"by step: {problem}.{detail} Hint: step i draws its batch with keys[i] from "
                      "jax.random.split(key, steps), records the loss before its update, and updates with "
                      "optax.adam(learning_rate), whose state is initialised once.")
    targets = ref.given["eval_targets"]
    mine, expected = _perplexity(part(got.out, "eval_logits"), targets), _perplexity(ref.out["eval_logits"], targets)
    expect(bool(mine is not None and np.isfinite(mine) and abs(mine - expected) <= 1e-3 * expected),
           f"The model trained by train_lm (`first` run) has a perplexity of "
           f"{'unknown' if mine is None else f'{mine:.4f}'} on held-out text; the reference's run reaches "
           f"{expected:.4f} (V = {vocab}: a model that knows nothing has perplexity {vocab}).")
    expect_match(got.out, ref.out, rtol=1e-3, atol=2e-4, exact_dtype=True,
                 call=f"train_lm under jax.jit on a random text ({described}): the trained parameters",
                 hint="apply every step's Adam update to the parameters you carry to the next step.")


# ------------------------------------------------------------------------------------------ sample
@pytest.mark.task("transformer.sample")
def test_sample_values(run):
    """Rejects: one key for every token (named when jax.debug_key_reuse sees it), the logits of the last buffer
    position instead of the last filled one, the prompt alone fed at every step (new tokens not appended), the
    temperature ignored or multiplied instead of divided, the argmax at every temperature, a Python loop over the new
    tokens (the program grows), a split other than split(key, num_tokens)."""
    got, ref = run(probes.sample_values)
    reuse = got.report["key_reuse_error"]
    wrong = tree_problem(part(got.out, "hot"), ref.out["hot"])
    # jax.debug_key_reuse also flags a key array indexed inside a loop: only a diagnosis when the tokens are wrong.
    expect(reuse is None or wrong is None,
           f"sample's tokens at a random temperature differ from the reference's ({wrong}), and jax.debug_key_reuse "
           f"reports a PRNG key used twice ({reuse}): split the key once into num_tokens subkeys and draw token i "
           "with subkey i only.")
    sizes = got.report["program_sizes"]
    expect(type(sizes) is list and len(sizes) == 2 and all(type(s) is int for s in sizes) and sizes[1] <= sizes[0],
           f"The traced program of sample grows with num_tokens ({sizes[0]} equations for 2 tokens, {sizes[1]} for 6): "
           "loop over the new tokens with lax.scan on a fixed-length buffer, not a Python loop."
           if type(sizes) is list and len(sizes) == 2 else "The size of sample's traced program could not be read.")
    described = "; ".join(f"{name}: prompt of {len(c['prompt'])}, {c['num_tokens']} new, temperature "
                          f"{c['temperature']:.4g}" for name, c in ref.given["calls"].items())
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"sample(params, prompt, key, num_heads, num_tokens, temperature) under jax.jit on a random model with "
                      f"{ref.given['vocab']} tokens ({described})",
                 hint="token i: the logits at position P - 1 + i (the last filled one), divided by the temperature, "
                      "drawn with jax.random.categorical(keys[i], ...) (the argmax at temperature 0), written into the "
                      "buffer before the next step.")
