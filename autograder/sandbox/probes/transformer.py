"""Probes for topic `transformer`. The verdicts live in autograder/grading/checks/test_transformer.py.

Each probe draws every argument the student's function receives from ``rng`` (sizes, epsilons, bases,
temperatures, learning rates, keys), puts every edge case its docstring names in every run (one token, one head,
one feature, a batch of one, a constant row, a window that fits exactly, temperature 0), and returns
``result(out=..., report=..., given=...)``: ``out`` holds only what the student's functions returned (possibly
through ``jax.vmap`` or ``jax.jacrev`` of them). Model parameters are drawn here with NumPy: no student code makes
them.

Compilation dominates the cost of these probes, so each probe runs all its calls inside one ``jax.jit`` (every
contract here requires working under ``jax.jit``), compiled with options that make XLA's CPU compiler several
times faster on such small programs.
"""
from __future__ import annotations

import contextlib
import sys

import jax
import jax.numpy as jnp
import numpy as np

from autograder.sandbox.probing import ForbiddenCall, count_equations, forbidden, result, type_name

# XLA's CPU compiler spends most of its time optimising and emitting fused kernels: for programs this small the
# unoptimised classic emitters compile about four times faster and run just as well. The student's own jit calls
# and loops are compiled as part of the outer program, with these options.
FAST_COMPILE = {"xla_backend_optimization_level": 0, "xla_cpu_use_fusion_emitters": False,
                "xla_cpu_parallel_codegen_split_count": 1}


def fast_jit(function):
    return jax.jit(function, compiler_options=FAST_COMPILE)


def _floats(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def _jnp(tree):
    return jax.tree.map(jnp.asarray, tree)


def _under_rules(impl, rules, compute):
    """compute() with every (module, names, label) of ``rules`` forbidden; when one was called, compute again
    without the rules so the values can still be judged (if that fails too, raise ForbiddenCall naming the call).
    Returns (value, sorted forbidden calls)."""
    calls: list[str] = []
    with contextlib.ExitStack() as stack:
        for module, names, label in rules:
            present = tuple(name for name in names if hasattr(module, name))
            calls.append(stack.enter_context(forbidden(impl, module, present, label)))
        try:
            value = compute()
        except ForbiddenCall:
            value = None
    called = sorted({name for seen in calls for name in seen})
    if called:
        try:
            value = compute()
        except Exception:  # noqa: BLE001 - what failed is the forbidden call: say so, not what it led to
            raise ForbiddenCall(f"{called[0]} must not be called in this task") from None
    return value, called


@contextlib.contextmanager
def _counting(impl, module, name, counter: list):
    """Count the calls of ``module.<name>`` (and of the implementation's globals bound to it) while active."""
    original = getattr(module, name)

    def counted(*args, **kwargs):
        counter.append(name)
        return original(*args, **kwargs)

    namespace = vars(impl)
    aliases = [g for g, value in list(namespace.items()) if value is original]
    setattr(module, name, counted)
    for g in aliases:
        namespace[g] = counted
    try:
        yield counter
    finally:
        setattr(module, name, original)
        for g in aliases:
            namespace[g] = original


def _key_reuse(call):
    """(call()'s value, the first line of a KeyReuseError or None): under jax.debug_key_reuse, and again without
    it when it raised, so the values can still be judged."""
    try:
        with jax.debug_key_reuse(True):
            return call(), None
    except jax.errors.KeyReuseError as exc:
        return call(), str(exc).splitlines()[0][:200]


# ------------------------------------------------------------------------------------------ einsum_drills
def _products():
    """The contraction functions einsum_drills must not use: jnp's, jnp.linalg's, lax's, and the @ operator
    (which calls jax's internal matmul, not the public jnp.matmul)."""
    from jax._src.numpy import tensor_contractions

    return [(jnp, ("matmul", "dot", "tensordot", "inner", "vdot", "outer", "trace", "diagonal", "matvec", "vecmat",
                   "vecdot"), "jnp"),
            (jnp.linalg, ("matmul", "tensordot", "vecdot", "trace", "diagonal", "outer"), "jnp.linalg"),
            (jax.lax, ("dot_general", "dot", "batch_matmul"), "jax.lax"),
            (tensor_contractions, ("matmul",), "the @ operator or jnp")]


def _drill_inputs(rng, sizes):
    (batch, n, r, p), (c, i, j), (examples, t, s, heads, d), (matrices, side) = sizes
    return {"a": _floats(rng, batch, n, r), "b": _floats(rng, batch, r, p),
            "x": _floats(rng, c, i), "w": _floats(rng, i, j), "y": _floats(rng, c, j),
            "q": _floats(rng, examples, t, heads, d), "k": _floats(rng, examples, s, heads, d),
            "m": _floats(rng, matrices, side, side)}


def einsum_drills_values(impl, rng):
    """einsum_drills computes the four contractions with jnp.einsum (under jax.jit; batches of one, one head,
    T == 1, S == T and S != T) without matrix products"""
    def draw(low, high):
        return int(rng.integers(low, high + 1))

    t = draw(2, 4)
    sizes = {
        "general": ((draw(2, 4), draw(2, 4), draw(2, 5), draw(2, 4)), (draw(2, 5), draw(2, 4), draw(2, 5)),
                    (2, t, t + draw(1, 3), draw(2, 3), draw(2, 4)), (draw(2, 4), draw(2, 5))),
        "square": ((1, draw(2, 3), draw(2, 3), draw(2, 3)), (1, draw(2, 3), draw(2, 3)),
                   (1, t + 1, t + 1, 1, draw(2, 4)), (1, draw(2, 4))),
        "ones": ((1, 1, 1, 1), (1, 1, 1), (draw(2, 3), 1, draw(2, 4), draw(2, 3), 1), (draw(2, 3), 1)),
    }
    inputs = {name: _drill_inputs(rng, shape) for name, shape in sizes.items()}
    order = ("a", "b", "x", "w", "y", "q", "k", "m")
    einsums: list[str] = []

    def compute():
        einsums.clear()
        with _counting(impl, jnp, "einsum", einsums):  # counted while tracing: each call in the program once
            return fast_jit(lambda ins: {case: impl.einsum_drills(*(ins[case][name] for name in order))
                                         for case in ins})({case: _jnp(values) for case, values in inputs.items()})

    out, called = _under_rules(impl, _products(), compute)
    return result(out=out, report={"forbidden": called, "einsum_calls": len(einsums), "calls": len(inputs)},
                  given={"inputs": inputs})


# ------------------------------------------------------------------------------------------ layer_norm
def layer_norm_values(impl, rng):
    """layer_norm normalises over the last axis as Flax's LayerNorm does (random epsilons from 1e-6 to 1, a row
    whose features are all equal, a single feature; under jax.jit and jax.vmap)"""
    features, rows, steps = int(rng.integers(3, 9)), int(rng.integers(2, 4)), int(rng.integers(2, 5))
    # Small spreads and large epsilons: an epsilon left out, or added outside the root, is far off.
    x = _floats(rng, rows, steps, features) * rng.uniform(0.3, 0.8, size=(rows, steps, 1)).astype(np.float32)
    x = x + _floats(rng, rows, steps, 1)
    x[0, 0] = np.float32(rng.normal())  # a constant row: variance 0
    cases = {
        "batch": (x, float(10 ** rng.uniform(np.log10(0.05), 0.0)), features),
        "one_feature": (_floats(rng, int(rng.integers(2, 5)), 1, scale=2.0), float(10 ** rng.uniform(-3, -1)), 1),
        "small_eps": (_floats(rng, int(rng.integers(2, 4)), 3, features + 1), float(10 ** rng.uniform(-6, -4)),
                      features + 1),
    }
    params = {name: (1.0 + _floats(rng, size, scale=0.5), _floats(rng, size, scale=0.5))
              for name, (_, _, size) in cases.items()}
    eps = {name: value for name, (_, value, _) in cases.items()}

    def everything(xs, params):
        return {"batch": impl.layer_norm(xs["batch"], *params["batch"], eps["batch"]),
                "one_feature": impl.layer_norm(xs["one_feature"], *params["one_feature"], eps["one_feature"]),
                "small_eps": jax.vmap(lambda v: impl.layer_norm(v, *params["small_eps"], eps["small_eps"]))(
                    xs["small_eps"])}

    rules = [(jax.nn, ("standardize",), "jax.nn")]
    if "flax" in sys.modules:  # only a student who imported Flax can call it
        from flax import linen, nnx
        rules += [(nnx.LayerNorm, ("__call__",), "flax.nnx.LayerNorm"),
                  (linen.LayerNorm, ("apply",), "flax.linen.LayerNorm")]
    out, called = _under_rules(impl, rules, lambda: fast_jit(everything)(
        {name: jnp.asarray(value) for name, (value, _, _) in cases.items()}, _jnp(params)))
    return result(out=out, report={"forbidden": called},
                  given={name: {"x": value, "eps": eps[name], "scale": params[name][0], "bias": params[name][1]}
                         for name, (value, _, _) in cases.items()})


# ------------------------------------------------------------------------------------------ causal_attention
def _attention_rules():
    rules = [(jax.nn, ("dot_product_attention",), "jax.nn")]
    if "flax" in sys.modules:
        from flax import linen, nnx
        rules += [(nnx, ("dot_product_attention", "dot_product_attention_weights"), "flax.nnx"),
                  (linen, ("dot_product_attention", "dot_product_attention_weights"), "flax.linen")]
    return rules


def causal_attention_values(impl, rng):
    """causal_attention gives the causal softmax weights and their average of the values (leading axes none, one
    and two, T == 1, dv != d; under jax.jit), with derivatives only toward positions up to each query's own"""
    d = int(rng.integers(4, 10))
    length = int(rng.integers(5, 9))
    heads_shape = (2, int(rng.integers(2, 4)), int(rng.integers(3, 7)), int(rng.integers(3, 7)))
    cases = {
        "batched": (_floats(rng, 2, length, d, scale=1.5), _floats(rng, 2, length, d, scale=1.5),
                    _floats(rng, 2, length, int(rng.integers(2, 7)))),
        "heads": tuple(_floats(rng, *heads_shape, scale=1.5) for _ in range(3)),
        "unbatched": (_floats(rng, length - 1, d, scale=1.5), _floats(rng, length - 1, d, scale=1.5),
                      _floats(rng, length - 1, d + 1)),
        "one_token": (_floats(rng, 3, 1, d), _floats(rng, 3, 1, d), _floats(rng, 3, 1, 2)),
    }
    small_t, small_d, small_dv = int(rng.integers(3, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 4))
    small = (_floats(rng, small_t, small_d, scale=1.5), _floats(rng, small_t, small_d, scale=1.5),
             _floats(rng, small_t, small_dv))

    def everything(cases, small):
        out = {name: dict(zip(("out", "weights"), impl.causal_attention(*args))) for name, args in cases.items()}
        jacobian = jax.jacrev(lambda q, k, v: impl.causal_attention(q, k, v)[0], argnums=(0, 1, 2))(*small)
        out["jacobian"] = dict(zip("qkv", jacobian))
        return out

    out, called = _under_rules(impl, _attention_rules(), lambda: fast_jit(everything)(_jnp(cases), _jnp(small)))
    return result(out=out, report={"forbidden": called},
                  given={"cases": {name: dict(zip("qkv", args)) for name, args in cases.items()},
                         "small": dict(zip("qkv", small))})


# ------------------------------------------------------------------------------------------ multi_head_attention
def _attention_params(rng, width, inner):
    return {"wq": _floats(rng, width, inner, scale=1.5 / np.sqrt(width)),
            "wk": _floats(rng, width, inner, scale=1.5 / np.sqrt(width)),
            "wv": _floats(rng, width, inner, scale=1.0 / np.sqrt(width)),
            "wo": _floats(rng, inner, width, scale=1.0 / np.sqrt(inner))}


def multi_head_values(impl, rng):
    """multi_head_attention splits the projections into heads of consecutive columns, attends causally in each
    and merges them back (several heads with H * dh != D, one head, one token in a batch of one; under jax.jit)"""
    heads, size = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    width = heads * size + int(rng.choice([-1, 1, 2]))
    length = int(rng.integers(4, 8))
    if length == heads:
        length += 1
    cases = {
        "heads": (heads, 2, length, width),
        "one_head": (1, 2, length - 1, width),
        "one_token": (int(rng.integers(2, 4)), 1, 1, width),
    }
    params = {name: _attention_params(rng, d, h * (size if name != "one_head" else size + 1))
              for name, (h, _, _, d) in cases.items()}
    xs = {name: _floats(rng, b, t, d) for name, (_, b, t, d) in cases.items()}
    counts = {name: h for name, (h, _, _, _) in cases.items()}
    out = fast_jit(lambda params, xs: {name: impl.multi_head_attention(params[name], xs[name], counts[name])
                                       for name in cases})(_jnp(params), _jnp(xs))
    return result(out=out, given={"heads": counts, "params": params, "x": xs,
                                  "head_size": {name: params[name]["wq"].shape[1] // counts[name] for name in cases}})


# ------------------------------------------------------------------------------------------ rotary_embedding
def _positions(rng, shape, low=0, high=40):
    """Positions along the last axis, each row continuing from its own random start."""
    starts = rng.integers(low, high, size=shape[:-1] + (1,))
    return (starts + np.arange(shape[-1])).astype(np.int32)


def rotary_values(impl, rng):
    """rotary_embedding rotates feature pairs (i, i + d/2) by position times base ** (-2i/d) (rows that start at
    different positions, position 0, T == 1, two random bases; under jax.jit and jax.vmap), so that scores depend
    only on the offset between positions"""
    bases = [float(np.float32(10 ** rng.uniform(3.0, 4.5))), float(np.float32(10 ** rng.uniform(1.5, 2.5)))]
    d = 2 * int(rng.integers(2, 6))
    length = int(rng.integers(3, 7))
    batched = _floats(rng, 2, length, d)
    heads = _floats(rng, 2, 2, length, d + 2)
    cases = {
        "batched": (batched, _positions(rng, batched.shape[:-1]), bases[0]),
        "heads": (heads, _positions(rng, heads.shape[:-1], high=60), bases[1]),
        "position_zero": (_floats(rng, length, d), np.zeros(length, np.int32), bases[1]),
        "one_token": (_floats(rng, 3, 1, d), _positions(rng, (3, 1)), bases[0]),
    }
    base_of = {name: base for name, (_, _, base) in cases.items()}
    offset = int(rng.integers(5, 30))
    near = _positions(rng, (length,), high=10)
    relative = {"q": _floats(rng, length, d), "k": _floats(rng, length, d), "near": near, "far": near + offset}

    def everything(cases, rel):
        out = {name: impl.rotary_embedding(x, p, base_of[name]) for name, (x, p) in cases.items()}
        out["relative"] = {f"{v}_{where}": impl.rotary_embedding(rel[v], rel[where], bases[0])
                           for v in "qk" for where in ("near", "far")}
        out["vmap"] = jax.vmap(lambda x, p: impl.rotary_embedding(x, p, bases[1]))(*cases["batched"])
        return out

    out = fast_jit(everything)({name: (jnp.asarray(x), jnp.asarray(p)) for name, (x, p, _) in cases.items()},
                               _jnp(relative))
    return result(out=out, given={"bases": bases, "d": d, "offset": offset, "length": length})


# ------------------------------------------------------------------------------------------ char_tokenizer
_ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'-\n") + ["é", "ß", "ü", "—", "λ"]


def _text(rng, length):
    pool = rng.choice(len(_ALPHABET), size=int(rng.integers(10, 22)), replace=False)
    pool = [_ALPHABET[i] for i in pool] + ["Z", "a", " ", "é"]  # upper case, non-ASCII: sorting matters
    return "".join(pool[i] for i in rng.integers(len(pool), size=length))


def tokenizer_values(impl, rng):
    """char_tokenizer numbers the sorted distinct characters of a text (spaces, newlines, upper case and non-ASCII
    characters included), encodes to int32 arrays (the empty string and one character too) and decodes JAX
    arrays, NumPy arrays and lists"""
    out, types = {}, {}
    for name, length in (("long", int(rng.integers(80, 140))), ("short", int(rng.integers(25, 40)))):
        text = _text(rng, length)
        chars, encode, decode = impl.char_tokenizer(text)
        size = len(set(text))
        start = int(rng.integers(0, length - 10))
        ids = rng.integers(0, size, size=int(rng.integers(5, 15)))
        encoded = {"text": encode(text), "empty": encode(""), "one": encode(text[start]),
                   "piece": encode(text[start:start + 10])}
        decoded = {"jax": decode(jnp.asarray(ids, jnp.int32)), "numpy": decode(ids.astype(np.int64)),
                   "list": decode([int(i) for i in ids[::-1]]), "round_trip": decode(encode(text))}
        out[name] = {"chars": list(chars) if type(chars) in (list, tuple) else chars, "encoded": encoded,
                     "decoded": decoded}
        types[name] = {"chars": type_name(chars), **{key: type_name(value) for key, value in encoded.items()},
                       **{f"decode_{key}": type_name(value) for key, value in decoded.items()}}
    return result(out=out, report={"types": types})


# ------------------------------------------------------------------------------------------ next_token_batch
def batch_values(impl, rng):
    """next_token_batch draws the window starts from the key as the docstring says and returns inputs and targets
    shifted by one (a large batch, a window that fits exactly, a batch of one and a block of one; under jax.jit),
    the same batch again for the same key"""
    ids = rng.permutation(1000)[: int(rng.integers(30, 60))].astype(np.int32)
    block = int(rng.integers(3, 8))
    calls = {
        "many": (ids, int(rng.integers(12, 20)), block),
        "other": (ids, int(rng.integers(2, 6)), block + 2),
        "tight": (ids[: block + 1], int(rng.integers(2, 5)), block),
        "single": (ids[: int(rng.integers(2, 9))], 1, 1),
    }
    seeds = {name: int(rng.integers(2**31)) for name in calls}

    def everything(tokens, keys):
        out = {name: dict(zip("xy", impl.next_token_batch(tokens[name], keys[name], batch_size, block_size)))
               for name, (_, batch_size, block_size) in calls.items()}
        out["same_key"] = dict(zip("xy", impl.next_token_batch(tokens["other"], keys["other"], calls["other"][1],
                                                               calls["other"][2])))
        return out

    out = fast_jit(everything)({name: jnp.asarray(tokens) for name, (tokens, _, _) in calls.items()},
                               {name: jax.random.key(seed) for name, seed in seeds.items()})
    return result(out=out, given={name: {"ids": tokens, "batch_size": b, "block_size": s}
                                  for name, (tokens, b, s) in calls.items()})


# ------------------------------------------------------------------------------------------ cross_entropy
def cross_entropy_values(impl, rng):
    """cross_entropy averages -log softmax over every position (batch rows and time steps; (B, T, V) and (N, V)
    logits, one position, logits of size 1e4; under jax.jit, and its gradient)"""
    batch, length, vocab = int(rng.integers(2, 4)), int(rng.integers(3, 7)), int(rng.integers(5, 13))
    if length == batch:
        length += 1

    def targets(*shape, v=vocab):
        return rng.integers(0, v, size=shape).astype(np.int32)

    cases = {
        "sequence": (_floats(rng, batch, length, vocab, scale=2.0), targets(batch, length)),
        "flat": (_floats(rng, 7, vocab + 2, scale=2.0), targets(7, v=vocab + 2)),
        "large": (_floats(rng, 2, 3, vocab, scale=1e4), targets(2, 3)),
        "single": (_floats(rng, 1, 1, vocab + 1, scale=2.0), targets(1, 1, v=vocab + 1)),
    }

    def everything(cases):
        out = {name: impl.cross_entropy(*args) for name, args in cases.items()}
        out["grad"] = jax.grad(lambda z: impl.cross_entropy(z, cases["sequence"][1]))(cases["sequence"][0])
        return out

    import optax

    losses = ("softmax_cross_entropy", "softmax_cross_entropy_with_integer_labels", "safe_softmax_cross_entropy")
    rules = [(optax, losses, "optax"), (optax.losses, losses, "optax.losses")]
    out, called = _under_rules(impl, rules, lambda: fast_jit(everything)(_jnp(cases)))
    return result(out=out, report={"forbidden": called},
                  given={name: {"logits": z, "targets": t} for name, (z, t) in cases.items()})


# ------------------------------------------------------------------------------------------ transformer_lm
def lm_params(rng, vocab, width, heads, size, hidden, layers, max_len, scale=1.0):
    """A parameter tree in init_lm's layout, drawn here. scale=1: weights large enough that every part of the
    model (each layer norm, residual, head, position) changes the logits; a scale below 1 is the standard
    deviation of every weight (init_lm's 0.02), with unit layer-norm scales and zero biases."""
    def norm():
        if scale < 1:
            return {"scale": np.ones(width, np.float32), "bias": np.zeros(width, np.float32)}
        return {"scale": 1.0 + _floats(rng, width, scale=0.3), "bias": _floats(rng, width, scale=0.3)}

    def weights(*shape, fan_in):
        return _floats(rng, *shape, scale=scale / np.sqrt(fan_in) if scale >= 1 else scale)

    def bias(size):
        return _floats(rng, size, scale=0.5) if scale >= 1 else np.zeros(size, np.float32)

    inner = heads * size
    blocks = []
    for _ in range(layers):
        blocks.append({
            "ln1": norm(),
            "attn": {"wq": weights(width, inner, fan_in=width / 2.0), "wk": weights(width, inner, fan_in=width / 2.0),
                     "wv": weights(width, inner, fan_in=width), "wo": weights(inner, width, fan_in=inner)},
            "ln2": norm(),
            "mlp": {"w1": weights(width, hidden, fan_in=width), "b1": bias(hidden),
                    "w2": weights(hidden, width, fan_in=hidden), "b2": bias(width)},
        })
    return {"embed": weights(vocab, width, fan_in=1.0), "pos": weights(max_len, width, fan_in=2.0), "blocks": blocks,
            "ln_f": norm(), "unembed": weights(width, vocab, fan_in=width / 4.0)}


def lm_values(impl, rng):
    """transformer_lm gives the logits of the pre-LN decoder (two layers and one, T = max_len, T < max_len, one
    token in a batch of one; under jax.jit)"""
    vocab, max_len = int(rng.integers(6, 13)), int(rng.integers(5, 8))
    heads = int(rng.choice([2, 3]))
    models = {
        "two_layers": lm_params(rng, vocab, int(rng.integers(6, 10)), heads, int(rng.integers(2, 4)),
                                int(rng.integers(8, 17)), 2, max_len),
        "one_layer": lm_params(rng, vocab + 3, int(rng.integers(6, 10)), 1, int(rng.integers(3, 6)),
                               int(rng.integers(8, 17)), 1, max_len + 2),
    }
    counts = {"two_layers": heads, "one_layer": 1}
    tokens = {"full": ("two_layers", rng.integers(0, vocab, size=(3, max_len)).astype(np.int32)),
              "one_token": ("two_layers", rng.integers(0, vocab, size=(1, 1)).astype(np.int32)),
              "one_layer": ("one_layer", rng.integers(0, vocab + 3, size=(2, max_len - 1)).astype(np.int32))}
    out = fast_jit(lambda models, toks: {name: impl.transformer_lm(models[model], toks[name], counts[model])
                                         for name, (model, _) in tokens.items()})(
        _jnp(models), {name: jnp.asarray(t) for name, (_, t) in tokens.items()})
    return result(out=out, given={"vocab": vocab, "max_len": max_len, "heads": counts,
                                  "tokens": {name: t for name, (_, t) in tokens.items()}})


# ------------------------------------------------------------------------------------------ train_lm
_WORDS = ("ab", "ba", "cab", "dad", "bed", "ace", "fed", "add", "bead", "deaf")


def _corpus_ids(rng, count):
    """Token ids of a small random text over a few letters (a vocabulary of 7 or 8), drawn here."""
    words = [_WORDS[i] for i in rng.integers(len(_WORDS), size=count)]
    text = " ".join(words) + ("." if rng.random() < 0.5 else "")
    chars = sorted(set(text))
    return np.asarray([chars.index(c) for c in text], np.int32), len(chars)


def train_values(impl, rng):
    """train_lm takes the Adam steps of the docstring, one subkey per step (two runs with different step counts,
    batch and block sizes, heads and learning rates, from small initial weights; under jax.jit), and the trained
    model's logits on held-out text"""
    text_ids, vocab = _corpus_ids(rng, int(rng.integers(50, 70)))
    ids, held_out = text_ids[:-40], text_ids[-40:]  # the last 40 tokens are never trained on
    runs = {
        "first": {"heads": 2, "steps": int(rng.integers(5, 8)), "batch_size": int(rng.integers(3, 5)),
                  "block_size": int(rng.integers(4, 6)), "learning_rate": float(np.float32(rng.uniform(0.01, 0.02)))},
        "second": {"heads": 4, "steps": int(rng.integers(2, 4)), "batch_size": int(rng.integers(5, 7)),
                   "block_size": int(rng.integers(6, 8)), "learning_rate": float(np.float32(rng.uniform(0.03, 0.05)))},
    }
    params = {name: lm_params(rng, vocab, 8, run["heads"], 8 // run["heads"], 16, 1, 8, scale=0.02)
              for name, run in runs.items()}
    seeds = {name: int(rng.integers(2**31)) for name in runs}
    block = runs["first"]["block_size"]
    count = (len(held_out) - 1) // block

    def everything(params, keys, ids, x):
        out = {}
        for name, run in runs.items():
            trained, losses = impl.train_lm(params[name], ids, keys[name], run["heads"], run["steps"],
                                            run["batch_size"], run["block_size"], run["learning_rate"])
            out[name] = {"params": trained, "losses": losses}
        out["eval_logits"] = impl.transformer_lm(out["first"]["params"], x, runs["first"]["heads"])
        return out

    out, reuse = _key_reuse(lambda: fast_jit(everything)(
        _jnp(params), {name: jax.random.key(seed) for name, seed in seeds.items()}, jnp.asarray(ids),
        jnp.asarray(held_out[: count * block].reshape(count, block))))
    return result(out=out, report={"key_reuse_error": reuse},
                  given={"runs": runs, "vocab": vocab,
                         "eval_targets": held_out[1: count * block + 1].reshape(count, block)})


# ------------------------------------------------------------------------------------------ sample
def sample_values(impl, rng):
    """sample draws each new token from its own subkey at the right position (a hot temperature, temperature 0, a
    temperature near 0; a prompt of one token and one new token; under jax.jit), in a lax loop that does not grow
    with num_tokens"""
    vocab, max_len = int(rng.integers(6, 11)), 8
    params = _jnp(lm_params(rng, vocab, 8, 2, 4, 12, 1, max_len))
    calls = {
        "hot": (3, 5, float(np.float32(rng.uniform(1.8, 3.0)))),
        "greedy": (2, 6, 0.0),
        "one": (1, 1, float(np.float32(rng.uniform(1e-3, 2e-3)))),
    }
    prompts = {name: rng.integers(0, vocab, size=length).astype(np.int32) for name, (length, _, _) in calls.items()}
    seeds = {name: int(rng.integers(2**31)) for name in calls}

    def everything(params, prompts, keys):
        return {name: impl.sample(params, prompts[name], keys[name], 2, count, temperature)
                for name, (_, count, temperature) in calls.items()}

    out, reuse = _key_reuse(lambda: fast_jit(everything)(
        params, _jnp(prompts), {name: jax.random.key(seed) for name, seed in seeds.items()}))
    sizes = []
    for count in (2, 6):
        jaxpr = jax.make_jaxpr(lambda p, k, count=count: impl.sample(params, p, k, 2, count, 1.0))(
            jnp.zeros(2, jnp.int32), jax.random.key(0))
        sizes.append(count_equations(jaxpr))
    given = {name: {"prompt": prompts[name], "num_tokens": count, "temperature": temperature}
             for name, (_, count, temperature) in calls.items()}
    return result(out=out, report={"key_reuse_error": reuse, "program_sizes": sizes},
                  given={"calls": given, "vocab": vocab})
