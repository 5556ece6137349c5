"""Probes for topic `nnx`. The verdicts live in autograder/grading/checks/test_nnx.py.

NNX modules are not plain data: what goes to ``out`` is what the student's code returned or left in the objects
it was given, described as arrays (a model's state as ``{path: array}``, typed keys as their key data, the types
of its variables as names), and the outputs of the model it built or changed. Every probe draws its sizes, rates,
optimizers and data from ``rng``. Models are built with ``nnx.eval_shape`` (no initialiser runs, nothing is
compiled for them) and then given drawn values by path (the contract fixes the paths), so that a model the student
built computes exactly what the reference's does. Other tasks' functions
(``make_cnn`` in the training probes, ``train_step`` in ``fit`` and ``train_scan``) are the reference's while a
task is graded.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from autograder.sandbox.probing import (primitive_names, result, round_trip, swapped,
                                        type_name)

DN = ("NHWC", "HWIO", "NHWC")
CHECKPOINT = "checkpoint"
SETTINGS = "settings.json"


def _floats(rng, *shape, scale=1.0):
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _images(rng, n):
    return jnp.asarray(rng.uniform(0.0, 1.0, size=(n, 8, 8, 1)).astype(np.float32))


def _labels(rng, *shape, classes=10):
    return jnp.asarray(rng.integers(0, classes, size=shape).astype(np.int32))


def _is_key(value) -> bool:
    return isinstance(value, jax.Array) and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def _array(value):
    """A leaf as plain data: arrays as they are, typed keys as their key data, anything else by its type."""
    if _is_key(value):
        return jax.random.key_data(value)
    if isinstance(value, (jax.Array, np.ndarray)) and np.dtype(value.dtype).kind in "biuf":
        return value
    return f"<{type(value).__name__}>"


def _flat(node) -> tuple[dict, dict]:
    """An NNX object's state (or a State) as ``{path: array}`` and ``{path: variable type name}``."""
    state = node if isinstance(node, nnx.State) else nnx.state(node)
    values, kinds = {}, {}
    for path, leaf in nnx.to_flat_state(state):
        name = "/".join(str(part) for part in path)
        kinds[name] = type(leaf).__name__
        values[name] = _array(leaf.get_value() if isinstance(leaf, nnx.Variable) else leaf)
    return values, kinds


def _values(node) -> dict:
    return _flat(node)[0]


def _attempt(call):
    """call(), or a string naming the exception it raised: for calls of a model the student's code changed, after
    its state was recorded, so that the checks can say what is wrong with that state first."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - the student's model may fail in any way
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return f"<raised {type(exc).__name__}: {first}>"


# ------------------------------------------------------------------------------------------ the CNN's layout
def _cnn_layout(c1: int, c2: int, classes: int) -> dict:
    """Every variable of make_cnn's model, by path: (variable type, shape). The docstring fixes them."""
    layout = {"conv1/kernel": ("Param", (3, 3, 1, c1)), "conv2/kernel": ("Param", (3, 3, c1, c2)),
              "dropout/rngs/count": ("RngCount", ()), "dropout/rngs/key": ("RngKey", ()),
              "head/kernel": ("Param", (16 * c2, classes)), "head/bias": ("Param", (classes,))}
    for name, width in (("bn1", c1), ("bn2", c2)):
        layout.update({f"{name}/scale": ("Param", (width,)), f"{name}/bias": ("Param", (width,)),
                       f"{name}/mean": ("BatchStat", (width,)), f"{name}/var": ("BatchStat", (width,))})
    return layout


def _cnn_values(rng, c1: int, c2: int, classes: int) -> dict:
    """Drawn values for every variable of the CNN: O(1) activations, running averages far from (0, 1), a
    random dropout key and count."""
    values = {}
    for path, (kind, shape) in _cnn_layout(c1, c2, classes).items():
        leaf = path.rsplit("/", 1)[1]
        if kind == "RngKey":
            values[path] = jax.random.key(int(rng.integers(2**31)))
        elif kind == "RngCount":
            values[path] = jnp.uint32(rng.integers(0, 40))
        elif leaf == "kernel":
            values[path] = _floats(rng, *shape, scale=1.5 / np.sqrt(np.prod(shape[:-1])))
        elif leaf in ("scale", "var"):
            values[path] = jnp.asarray(rng.uniform(0.5, 2.0, size=shape).astype(np.float32))
        else:  # biases and running means
            values[path] = _floats(rng, *shape, scale=0.3)
    return values


def _assign(model, values: dict) -> list[str]:
    """Write drawn values into the model's variables by path; return the paths that are not variables."""
    missing = []
    for path, value in values.items():
        node = model
        try:
            for part in path.split("/"):
                node = getattr(node, part)
        except AttributeError:
            missing.append(path)
            continue
        if isinstance(node, nnx.Variable):
            node.set_value(value)
        else:
            missing.append(path)
    return missing


def _cnn_state(values: dict, c1: int, c2: int, classes: int):
    """The State that ``nnx.state`` gives for make_cnn's model holding ``values`` (built without a model)."""
    kinds = {"Param": nnx.Param, "BatchStat": nnx.BatchStat}
    nested: dict = {}
    for path, (kind, _) in _cnn_layout(c1, c2, classes).items():
        *parents, leaf = path.split("/")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        if kind == "RngKey":
            node[leaf] = nnx.RngKey(values[path], tag="default")
        elif kind == "RngCount":
            node[leaf] = nnx.RngCount(values[path], tag="default")
        else:
            node[leaf] = kinds[kind](values[path])
    return nnx.State(nested)


def _built(make, values: dict):
    """A model from ``make()`` built abstractly (``nnx.eval_shape``: no initialiser runs, nothing compiles), then
    holding the drawn ``values`` by path; returns the model and the paths that are not variables of it."""
    model = nnx.eval_shape(make)
    missing = _assign(model, values)
    _concretize(model)
    return model, missing


def _concretize(model) -> None:
    """Zeros (a fixed key for key types) in every variable an abstract model still holds as a shape: the
    variables beyond the contract's, so that a model with extra ones still runs and the checks can name them."""
    for _, variable in nnx.to_flat_state(nnx.state(model)):
        value = variable.get_value() if isinstance(variable, nnx.Variable) else None
        if isinstance(value, jax.ShapeDtypeStruct):
            if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
                variable.set_value(jax.random.split(jax.random.key(0), value.shape) if value.shape
                                   else jax.random.key(0))
            else:
                variable.set_value(jnp.zeros(value.shape, value.dtype))


def _cnn(impl, rng, channels, classes, rate):
    """A make_cnn model holding drawn values for every variable (the reference's make_cnn while other tasks are
    graded)."""
    seed = int(rng.integers(2**31))
    model, _ = _built(lambda: impl.make_cnn(channels, classes, rate, nnx.Rngs(seed)), _cnn_values(rng, *channels, classes))
    return model


def _cnn_settings(rng) -> tuple[tuple[int, int], int, float]:
    """Channels (c1 != c2), classes and a dropout rate drawn for one run."""
    c1 = int(rng.integers(2, 6))
    c2 = int(rng.choice([c for c in range(3, 8) if c != c1]))
    return (c1, c2), int(rng.integers(3, 11)), float(np.round(rng.uniform(0.2, 0.6), 3))


def _optimizer(rng):
    """An Optax optimizer drawn for one run (kind and learning rate), and its description."""
    import optax

    kind = str(rng.choice(["adam", "sgd", "adamw"]))
    lr = float(np.float32(rng.uniform(3e-3, 3e-2)))
    if kind == "adam":
        return optax.adam(lr), f"optax.adam({lr:.4g})"
    if kind == "sgd":
        momentum = float(np.round(rng.uniform(0.5, 0.9), 2))
        return optax.sgd(lr, momentum=momentum), f"optax.sgd({lr:.4g}, momentum={momentum})"
    decay = float(np.round(rng.uniform(0.01, 0.2), 3))
    return optax.adamw(lr, weight_decay=decay), f"optax.adamw({lr:.4g}, weight_decay={decay})"


def _training_objects(impl, rng):
    """A make_cnn model (the reference's while these tasks are graded) in training mode and its optimizer."""
    channels, _, rate = _cnn_settings(rng)
    model = _cnn(impl, rng, channels, 10, rate)
    tx, described = _optimizer(rng)
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    model.train()
    return model, optimizer, {"channels": list(channels), "dropout_rate": rate, "optimizer": described,
                              "count": int(model.dropout.rngs.count[...])}


# ------------------------------------------------------------------------------------------ conv2d
def _conv_cases(rng) -> dict:
    """Every edge case of the docstring in every run: 1x1 kernels, even kernels with SAME (unequal padding),
    strides with SAME on odd and even sizes, strides that do not divide with VALID, a kernel as large as the
    input, and one random case. C_in != C_out everywhere, so swapped channel axes cannot pass; several input
    channels where the taps are many, so a patch flattened in another order than the kernel cannot pass."""
    def sizes(c_in=(1, 2, 3)):
        c_in = int(rng.choice(c_in))
        return int(rng.integers(1, 3)), c_in, int(rng.choice([c for c in range(2, 5) if c != c_in]))

    cases = {}
    n, ci, co = sizes(c_in=(1,))
    h, w = int(rng.integers(5, 9)), int(rng.integers(5, 9))
    cases["one_by_one_valid"] = (n, h, w, ci, co, 1, 1, (1, 1), "VALID")
    n, ci, co = sizes()
    cases["one_by_one_same_strided"] = (n, 7, 8, ci, co, 1, 1, (2, 3), "SAME")
    n, ci, co = sizes(c_in=(2, 3))
    cases["even_kernel_same"] = (n, int(rng.integers(5, 9)), int(rng.integers(5, 9)), ci, co, 2, 4, (1, 1), "SAME")
    n, ci, co = sizes(c_in=(2, 3))
    cases["strided_same"] = (n, 7, 8, ci, co, 3, 3, (2, 2), "SAME")
    n, ci, co = sizes(c_in=(2, 3))
    cases["strided_valid"] = (n, 8, 9, ci, co, 3, 2, (2, 3), "VALID")
    n, ci, co = sizes()
    h, w = int(rng.integers(3, 6)), int(rng.integers(3, 6))
    cases["full_kernel_valid"] = (n, h, w, ci, co, h, w, (1, 1), "VALID")
    n, ci, co = sizes()
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    cases["random"] = (n, int(rng.integers(6, 10)), int(rng.integers(6, 10)), ci, co, kh, kw,
                       (int(rng.integers(1, 4)), int(rng.integers(1, 4))), str(rng.choice(["SAME", "VALID"])))
    return cases


def conv2d_values(impl, rng):
    """conv2d computes the convolution of the docstring for 1x1, even, non-square and full-size kernels, SAME and
    VALID padding and strides that do not divide the input, eagerly, under jax.jit and under jax.grad, without a
    convolution primitive"""
    cases = _conv_cases(rng)
    out, uses_conv = {}, {}
    for name, (n, h, w, ci, co, kh, kw, strides, padding) in cases.items():
        x, kernel = _floats(rng, n, h, w, ci), _floats(rng, kh, kw, ci, co)
        out[name] = impl.conv2d(x, kernel, strides, padding)
        if name in ("strided_same", "strided_valid"):
            jaxpr = jax.make_jaxpr(lambda a, b, s=strides, p=padding: impl.conv2d(a, b, s, p))(x, kernel)
            uses_conv[name] = "conv_general_dilated" in primitive_names(jaxpr)
    n, h, w, ci, co, kh, kw, strides, padding = cases["strided_same"]
    x, kernel = _floats(rng, n, h, w, ci), _floats(rng, kh, kw, ci, co)
    out["jit"] = jax.jit(impl.conv2d, static_argnums=(2, 3))(x, kernel, strides, padding)
    n, h, w, ci, co, kh, kw, strides, padding = cases["even_kernel_same"]
    x, kernel = _floats(rng, n, h, w, ci), _floats(rng, kh, kw, ci, co)
    grad_x, grad_kernel = jax.grad(lambda a, b: jnp.sum(jnp.sin(impl.conv2d(a, b, strides, padding))),
                                   argnums=(0, 1))(x, kernel)
    out["grad"] = {"x": grad_x, "kernel": grad_kernel}
    return result(out=out, report={"uses_conv": sorted(k for k, v in uses_conv.items() if v)},
                  given={"cases": {k: [list(v[:7]), list(v[7]), v[8]] for k, v in cases.items()}})


# ------------------------------------------------------------------------------------------ receptive_field
def receptive_field_values(impl, rng):
    """receptive_field gives the window of one output of conv stacks: no layer, one strided layer, 1x1 kernels,
    stride-1 stacks and random stacks whose strides sit before their last layer"""
    def stack(length, strided=True):
        kernels = [int(k) for k in rng.integers(1, 8, size=length)]
        strides = [int(s) for s in rng.integers(1, 4, size=length)] if strided else [1] * length
        if strided:
            strides[int(rng.integers(0, length - 1))] = int(rng.integers(2, 4))  # a stride that matters
            kernels[-1] = max(kernels[-1], 2)
        return kernels, strides

    calls = {"empty": ([], []),
             "one_strided_layer": ([int(rng.integers(2, 8))], [int(rng.integers(2, 4))]),
             "one_by_one": ([1, 1, 1], [int(s) for s in rng.integers(2, 4, size=3)]),
             "stride_one": stack(int(rng.integers(2, 5)), strided=False)}
    for i in range(4):
        calls[f"random_{i}"] = stack(int(rng.integers(2, 6)))
    out = {name: impl.receptive_field(list(kernels), list(strides)) for name, (kernels, strides) in calls.items()}
    return result(out=out, report={"types": {name: type_name(value) for name, value in out.items()}},
                  given={"calls": {name: [list(k), list(s)] for name, (k, s) in calls.items()}})


# ------------------------------------------------------------------------------------------ linen_to_nnx
def _linen_variables(rng, d_in, hidden, classes) -> dict:
    dense = lambda a, b: {"kernel": _floats(rng, a, b, scale=1 / np.sqrt(a)), "bias": _floats(rng, b, scale=0.3)}
    return {"params": {"Dense_0": dense(d_in, hidden),
                       "BatchNorm_0": {"scale": jnp.asarray(rng.uniform(0.5, 2.0, hidden).astype(np.float32)),
                                       "bias": _floats(rng, hidden, scale=0.5)},
                       "Dense_1": dense(hidden, classes)},
            "batch_stats": {"BatchNorm_0": {"mean": _floats(rng, hidden, scale=0.5),
                                            "var": jnp.asarray(rng.uniform(0.3, 3.0, hidden).astype(np.float32))}}}


def linen_copy(impl, rng):
    """linen_to_nnx writes a trained LinenMLP's variables into an MLP in place, keeping every variable's type, the
    model's mode and its dropout RNG state, so that the MLP computes what the Linen model computes"""
    d_in, hidden, classes = (int(v) for v in rng.choice(np.arange(3, 12), size=3, replace=False))
    rate = float(np.round(rng.uniform(0.2, 0.6), 3))
    variables = _linen_variables(rng, d_in, hidden, classes)
    kept = jax.tree.map(np.array, variables)
    seed = int(rng.integers(2**31))
    own = _linen_variables(rng, d_in, hidden, classes)  # the MLP's own values, all to be replaced
    values = {f"{layer}/{leaf}": own["params"][name][leaf] for layer, name in (("linear1", "Dense_0"),
              ("linear2", "Dense_1")) for leaf in ("kernel", "bias")}
    values.update({f"bn/{leaf}": own["params"]["BatchNorm_0"][leaf] for leaf in ("scale", "bias")})
    values.update({f"bn/{leaf}": own["batch_stats"]["BatchNorm_0"][leaf] for leaf in ("mean", "var")})
    values = {**values, "dropout/rngs/key": jax.random.key(int(rng.integers(2**31))),
              "dropout/rngs/count": jnp.uint32(rng.integers(0, 40))}
    model, _ = _built(lambda: impl.MLP(d_in, hidden, classes, rate, rngs=nnx.Rngs(seed)), values)
    model.eval()
    returned = impl.linen_to_nnx(variables, model)
    copied, kinds = _flat(model)
    x = _floats(rng, int(rng.integers(4, 9)), d_in)
    eval_out = _attempt(lambda: model(x))  # no mode change: still evaluation mode
    model.train()
    train_out = _attempt(lambda: model(x))
    intact = jax.tree.all(jax.tree.map(lambda a, b: bool(np.array_equal(a, b)), kept, variables))
    return result(out={"state": copied, "kinds": kinds, "eval": eval_out, "train": train_out,
                       "after_train": _values(model)},
                  report={"variables_intact": intact, "returned": type_name(returned)},
                  given={"sizes": [d_in, hidden, classes], "dropout_rate": rate})


# ------------------------------------------------------------------------------------------ make_cnn
def cnn_behaviour(impl, rng):
    """make_cnn builds a model with the variables of the docstring which, holding drawn values, computes the CNN
    under nnx.jit in evaluation mode, in training mode (eagerly too) and again in evaluation mode"""
    channels, classes, rate = _cnn_settings(rng)
    seed = int(rng.integers(2**31))
    model = nnx.eval_shape(lambda: impl.make_cnn(channels, classes, rate, nnx.Rngs(seed)))
    layout = {}
    for path, variable in nnx.to_flat_state(nnx.state(model)):
        value = variable.get_value() if isinstance(variable, nnx.Variable) else variable
        layout["/".join(map(str, path))] = [type(variable).__name__, list(getattr(value, "shape", [])),
                                            str(getattr(value, "dtype", type(value).__name__))]
    missing = _assign(model, _cnn_values(rng, *channels, classes))
    _concretize(model)
    x = _images(rng, int(rng.integers(5, 13)))
    forward = nnx.jit(lambda m, v: m(v))
    model.eval()
    evaluated = [forward(model, x), forward(model, x)]
    eval_state = _values(model)
    model.train()
    trained = [forward(model, x), model(x)]  # under nnx.jit, then eagerly
    train_state = _values(model)
    model.eval()
    later = forward(model, _images(rng, int(x.shape[0])))
    return result(out={"layout": layout, "eval": evaluated, "eval_state": eval_state, "train": trained,
                       "train_state": train_state, "eval_after": later},
                  report={"unassigned": missing},
                  given={"channels": list(channels), "classes": classes, "dropout_rate": rate,
                         "batch": int(x.shape[0])})


# ------------------------------------------------------------------------------------------ train_step
def train_step_run(impl, rng):
    """train_step trains a CNN in place: three steps under nnx.jit, each updating parameters, optimizer state,
    batch statistics and the dropout RNG once"""
    model, optimizer, given = _training_objects(impl, rng)
    traces = [0]

    def counted(m, o, x, y):
        traces[0] += 1
        return impl.train_step(m, o, x, y)

    step = nnx.jit(counted)
    n = int(rng.integers(8, 17))
    losses = [step(model, optimizer, _images(rng, n), _labels(rng, n)) for _ in range(3)]
    return result(out={"losses": losses, "model": _values(model), "optimizer": _values(optimizer)},
                  report={"traces": traces[0]},
                  given={**given, "batch": n})


# ------------------------------------------------------------------------------------------ fit
@lru_cache(maxsize=None)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """load_digits' images and labels, read from the CSV scikit-learn ships (importing sklearn.datasets alone
    takes a second)."""
    root = importlib.util.find_spec("sklearn").submodule_search_locations[0]
    with gzip.open(os.path.join(root, "datasets", "data", "digits.csv.gz")) as handle:
        table = np.loadtxt(handle, delimiter=",")
    return (table[:, :-1] / 16.0).astype(np.float32).reshape(-1, 8, 8, 1), table[:, -1].astype(np.int32)


def _counting(step, record: dict):
    def train_step(model, optimizer, x, y):
        record["calls"] += 1
        record["traced"] += isinstance(x, jax.core.Tracer)
        return step(model, optimizer, x, y)
    return train_step


def fit_run(impl, rng):
    """fit trains a CNN given in evaluation mode for two epochs (shuffled per epoch, partial batches dropped, one
    traced step) and evaluates it on the test set after each epoch, leaving it in evaluation mode"""
    images, labels = _digits()
    n_train, n_test = int(rng.integers(150, 230)), int(rng.integers(50, 90))
    batch_size = int(rng.choice([b for b in range(30, 60) if n_train % b >= 5]))
    chosen = rng.choice(len(labels), size=n_train + n_test, replace=False)
    data = {"train_x": images[chosen[:n_train]], "train_y": labels[chosen[:n_train]],
            "test_x": images[chosen[n_train:]], "test_y": labels[chosen[n_train:]]}
    channels, _, rate = _cnn_settings(rng)
    model = _cnn(impl, rng, channels, 10, rate)
    model.eval()  # fit must switch to training mode itself
    lr = float(np.float32(rng.uniform(5e-3, 2e-2)))
    record = {"calls": 0, "traced": 0}
    with swapped(impl, {"train_step": _counting(impl.train_step, record)}):
        history = impl.fit(model, data, num_epochs=2, batch_size=batch_size, learning_rate=lr,
                           key=jax.random.key(int(rng.integers(2**31))))
    after = model(_images(rng, n_test))  # in the mode fit left it in (test-set shapes: compiled already)
    return result(out={"history": history, "model": _values(model), "after": after},
                  report={"step_calls": record["calls"], "step_traces": record["traced"]},
                  given={"n_train": n_train, "n_test": n_test, "batch_size": batch_size, "learning_rate": lr,
                         "steps": 2 * (n_train // batch_size)})


# ------------------------------------------------------------------------------------------ train_scan
def _scan_primitives(impl, model, optimizer) -> set[str]:
    """The primitives of train_scan traced for T = 3 on small batches (on objects merged inside the trace)."""
    graphdef, state = nnx.split((model, optimizer))

    def traced(state, xs, ys):
        m, o = nnx.merge(graphdef, state)
        impl.train_scan(m, o, xs, ys)
        return nnx.state((m, o))

    return primitive_names(jax.make_jaxpr(traced)(state, jnp.zeros((3, 2, 8, 8, 1)), jnp.zeros((3, 2), jnp.int32)))


def train_scan_run(impl, rng):
    """train_scan runs T training steps in one lax.scan and writes the result back into the model and the
    optimizer"""
    model, optimizer, given = _training_objects(impl, rng)
    steps, n = int(rng.integers(2, 5)), int(rng.integers(6, 13))
    losses = impl.train_scan(model, optimizer, jnp.stack([_images(rng, n) for _ in range(steps)]),
                             _labels(rng, steps, n))
    after = {"model": _values(model), "optimizer": _values(optimizer)}
    primitives = _scan_primitives(impl, model, optimizer)
    return result(out={"losses": losses, **after},
                  report={"uses_scan": "scan" in primitives},
                  given={**given, "steps": steps, "batch": n})


# ------------------------------------------------------------------------------------------ save_model
def _read_saved(rng, directory):
    """Trusted: restore what the student's save_model wrote, without a target, as {path: array}."""
    import orbax.checkpoint as ocp

    try:
        with ocp.StandardCheckpointer() as checkpointer:
            raw = checkpointer.restore(os.path.join(directory, CHECKPOINT))
    except Exception as exc:  # noqa: BLE001 - nothing readable was written: say so, as data
        return {"unreadable": type(exc).__name__}
    flat = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(raw)[0]:
        flat["/".join(str(getattr(p, "key", getattr(p, "idx", p))) for p in path)] = _array(leaf)
    return flat


@round_trip(reader=_read_saved)
def save_round_trip(impl, rng, directory):
    """save_model writes every variable of a CNN (drawn parameters, statistics and RNG state) with Orbax, complete
    when it returns, and leaves the model unchanged"""
    channels, classes, rate = _cnn_settings(rng)
    model = _cnn(impl, rng, channels, classes, rate)
    path = os.path.join(directory, CHECKPOINT)
    impl.save_model(model, path)
    complete = os.path.isdir(path) and not any(name.endswith("tmp") for name in os.listdir(directory))
    return result(out={"model_after": _values(model)}, report={"complete_on_return": complete},
                  given={"channels": list(channels), "classes": classes})


# ------------------------------------------------------------------------------------------ restore_model
def _write_checkpoint(rng, directory):
    """Trusted, from a secret seed: a checkpoint of make_cnn's state with drawn values, and its settings."""
    import orbax.checkpoint as ocp

    channels, classes, rate = _cnn_settings(rng)
    state = _cnn_state(_cnn_values(rng, *channels, classes), *channels, classes)
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(os.path.join(directory, CHECKPOINT), state)
        checkpointer.wait_until_finished()
    with open(os.path.join(directory, SETTINGS), "w", encoding="utf-8") as handle:
        json.dump({"channels": list(channels), "num_classes": classes, "dropout_rate": rate}, handle)


def _recording(make_cnn, record: list):
    def recorded(*args, **kwargs):
        model = make_cnn(*args, **kwargs)
        leaves = [v.get_value() for _, v in nnx.to_flat_state(nnx.state(model))]
        record.append(any(isinstance(v, jax.Array) and not isinstance(v, jax.core.Tracer) for v in leaves))
        return model
    return recorded


@round_trip(writer=_write_checkpoint)
def restore_round_trip(impl, rng, directory):
    """restore_model rebuilds a CNN from a checkpoint of drawn values through an abstract model, with every variable
    of its type, in evaluation mode, its RNG state restored"""
    with open(os.path.join(directory, SETTINGS), encoding="utf-8") as handle:
        settings = json.load(handle)
    concrete: list = []
    with swapped(impl, {"make_cnn": _recording(impl.make_cnn, concrete)}):
        model = impl.restore_model(os.path.join(directory, CHECKPOINT), tuple(settings["channels"]),
                                   settings["num_classes"], settings["dropout_rate"])
    values, kinds = _flat(model)
    types = {"/".join(map(str, path)): type_name(v.get_value() if isinstance(v, nnx.Variable) else v)
             for path, v in nnx.to_flat_state(nnx.state(model))}
    x = _images(rng, int(rng.integers(4, 9)))
    evaluated = _attempt(lambda: model(x))  # in the mode restore_model left it in
    model.train()
    trained = _attempt(lambda: model(x))  # the restored dropout key and count decide the mask
    return result(out={"state": values, "kinds": kinds, "eval": evaluated, "train": trained},
                  report={"concrete_init": any(concrete), "value_types": types},
                  given=settings)
