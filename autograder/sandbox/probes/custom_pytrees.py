"""Probes for topic `custom_pytrees`. Each returns plain data; the verdicts live in autograder/grading/checks.

Student classes never leave a probe: instances are described by their leaves (arrays), leaf kinds, key-path
strings, ``isinstance`` answers and attribute values converted to plain data. Every probe registers a
**fresh** class (a new subclass, or a new class from the student's factory), so probes can run in any order
and any number of times without a duplicate registration.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

keystr = jax.tree_util.keystr


def _a(rng, *shape, scale=1.0):
    return jnp.asarray((rng.normal(size=shape) * scale).astype(np.float32))


def _fresh(base, name):
    """A new, unregistered subclass of a kit class."""
    return type(name, (base,), {})


def _kind(leaf) -> str:
    return "array" if isinstance(leaf, (jax.Array, np.ndarray)) else type(leaf).__name__


def _leaf_report(tree) -> dict:
    leaves = jax.tree.leaves(tree)
    return {"leaf_kinds": [_kind(leaf) for leaf in leaves],
            "array_leaves": [leaf for leaf in leaves if _kind(leaf) == "array"]}


def _attempt(call):
    """call() as plain data: its bool value, or the exception it raised as a short string."""
    try:
        return bool(call())
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the classic mistakes raise here; report them as data
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return f"{type(exc).__name__}: {first}"


def _text(value):
    return value if type(value) is str else repr(value)[:80]


def _array(value):
    return value if isinstance(value, (jax.Array, np.ndarray)) else None


def _counted_jit(function):
    traces = [0]

    def counted(*args):
        traces[0] += 1
        return function(*args)

    return jax.jit(counted), traces


# -------------------------------------------------------------------------------------- register_polynomial
def polynomial_structure(impl, rng):
    """register_polynomial makes the coeffs the only leaf and keeps var as aux data"""
    given = _fresh(impl.Polynomial, "Poly")
    returned = impl.register_polynomial(given)
    c1, c2 = _a(rng, 4), _a(rng, 4)
    p = given(c1, "x")
    report = _leaf_report(p)
    same = _attempt(lambda: jax.tree.structure(p) == jax.tree.structure(given(c2, "x")))
    different = _attempt(lambda: jax.tree.structure(p) != jax.tree.structure(given(c1, "t")))
    rebuilt = jax.tree.unflatten(jax.tree.structure(p), jax.tree.leaves(p))
    return {"returns_cls": returned is given, **report, "same_var_same_treedef": same,
            "new_var_new_treedef": different, "rebuilt_is_cls": type(rebuilt) is given,
            "rebuilt_var": _text(getattr(rebuilt, "var", None)), "rebuilt_coeffs": _array(getattr(rebuilt, "coeffs", None))}


def polynomial_grad(impl, rng):
    """jax.grad with respect to a registered Polynomial returns that class with its var, and jax.jit evaluates it"""
    cls = _fresh(impl.Polynomial, "Poly")
    impl.register_polynomial(cls)
    p = cls(_a(rng, 5), "z")
    x = float(np.float32(rng.uniform(-1.5, 1.5)))
    grad = jax.grad(lambda q: q(x))(p)
    mapped = jax.tree.map(lambda c: 2 * c, p)
    return {"grad_is_cls": type(grad) is cls, "grad_var": _text(getattr(grad, "var", None)),
            "grad_coeffs": _array(getattr(grad, "coeffs", None)), "mapped_is_cls": type(mapped) is cls,
            "mapped_coeffs": _array(getattr(mapped, "coeffs", None)),
            "jit_value": jax.jit(lambda q, v: q(v))(p, jnp.float32(x))}


def polynomial_traces(impl, rng):
    """jax.jit traces once when only the coeffs of a registered Polynomial change, and again when var changes"""
    cls = _fresh(impl.Polynomial, "Poly")
    impl.register_polynomial(cls)
    evaluate, traces = _counted_jit(lambda q: q(1.5))
    for _ in range(3):
        evaluate(cls(_a(rng, 3), "x"))
    children_only = traces[0]
    evaluate(cls(_a(rng, 3), "y"))
    return {"children_change": children_only, "aux_change": traces[0]}


# ------------------------------------------------------------------------------------------ make_dense_class
def dense_classes(impl, rng):
    """make_dense_class builds a new registered Dense subclass on every call, with w and b as the only leaves"""
    first = impl.make_dense_class()
    second = _attempt(lambda: impl.make_dense_class() is not first)
    w, b = _a(rng, 3, 4), _a(rng, 4)
    layer = first(w, b, "tanh")
    report = _leaf_report(layer)
    same = _attempt(lambda: jax.tree.structure(layer) == jax.tree.structure(first(2 * w, b, "tanh")))
    different = _attempt(lambda: jax.tree.structure(layer) != jax.tree.structure(first(w, b, "relu")))
    return {"second_call_new_class": second, "is_dense": isinstance(first, type) and issubclass(first, impl.Dense),
            **report, "same_activation_same_treedef": same, "new_activation_new_treedef": different}


def dense_transforms(impl, rng):
    """a layer from make_dense_class goes through jax.jit, jax.grad and jax.vmap"""
    cls = impl.make_dense_class()
    x = _a(rng, 5, 3)
    layer = cls(_a(rng, 3, 4, scale=0.5), _a(rng, 4, scale=0.1), "tanh")

    def loss(l, v):
        return jnp.mean(l(v) ** 2)

    grad = jax.grad(loss)(layer, x)
    ensemble = cls(_a(rng, 2, 3, 4), _a(rng, 2, 4), "relu")
    return {"jit_loss": jax.jit(loss)(layer, x), "grad_is_cls": type(grad) is cls,
            "grad_activation": _text(getattr(grad, "activation", None)), "grad_w": _array(getattr(grad, "w", None)),
            "grad_b": _array(getattr(grad, "b", None)), "vmap": jax.vmap(lambda l: l(x))(ensemble)}


def dense_traces(impl, rng):
    """jax.jit traces once when a layer's w and b values change, and again when its activation changes"""
    cls = impl.make_dense_class()
    apply, traces = _counted_jit(lambda l, v: l(v))
    x = _a(rng, 2, 3)
    for _ in range(3):
        apply(cls(_a(rng, 3, 2), _a(rng, 2), "relu"), x)
    children_only = traces[0]
    apply(cls(_a(rng, 3, 2), _a(rng, 2), "identity"), x)
    return {"children_change": children_only, "aux_change": traces[0]}


# ----------------------------------------------------------------------------------------- register_gaussian
def gaussian_key_paths(impl, rng):
    """register_gaussian gives the children the key paths .mean and .log_std and keeps name as aux data"""
    cls = _fresh(impl.Gaussian, "Normal")
    returned = impl.register_gaussian(cls)
    tree = {"encoder": cls(_a(rng, 3), _a(rng, 3), "q"), "priors": [cls(_a(rng, 2), _a(rng, 2), "p")]}
    pairs = jax.tree.flatten_with_path(tree)[0]
    shifted = jax.tree.map_with_path(lambda path, leaf: leaf + len(keystr(path)), tree)
    encoder = shifted["encoder"]
    return {"returns_cls": returned is cls, **_leaf_report(tree),
            "paths": [keystr(path) for path, _ in pairs],
            "mapped_is_cls": type(encoder) is cls, "mapped_name": _text(getattr(encoder, "name", None)),
            "mapped_mean": _array(getattr(encoder, "mean", None)),
            "name_is_aux": _attempt(lambda: jax.tree.structure(tree["encoder"]) != jax.tree.structure(
                cls(tree["encoder"].mean, tree["encoder"].log_std, "other"))),
            "jit": jax.jit(lambda t: t["priors"][0].mean * jnp.exp(t["encoder"].log_std[:2]))(tree)}


# ------------------------------------------------------------------------------------ make_train_state_class
def _params(rng, batch=()):
    return {"dense": {"w": _a(rng, *batch, 2, 3), "b": _a(rng, *batch, 3)}, "scale": _a(rng, *batch)}


def train_state_fields(impl, rng):
    """make_train_state_class builds a new dataclass per call whose children are params and step, with static learning_rate and optimizer"""
    import dataclasses

    cls = impl.make_train_state_class()
    second = _attempt(lambda: impl.make_train_state_class() is not cls)
    lr = float(np.float32(rng.uniform(0.01, 0.5)))
    params = _params(rng)
    state = cls(params=params, step=jnp.int32(3), learning_rate=lr, optimizer="sgd")
    report = _leaf_report(state)
    return {"second_call_new_class": second, "is_dataclass": dataclasses.is_dataclass(cls), **report,
            "same_static_same_treedef": _attempt(lambda: jax.tree.structure(state) == jax.tree.structure(
                cls(params=_params(rng), step=jnp.int32(0), learning_rate=lr, optimizer="sgd"))),
            "new_lr_new_treedef": _attempt(lambda: jax.tree.structure(state) != jax.tree.structure(
                cls(params=params, step=jnp.int32(3), learning_rate=lr * 2, optimizer="sgd"))),
            "new_optimizer_new_treedef": _attempt(lambda: jax.tree.structure(state) != jax.tree.structure(
                cls(params=params, step=jnp.int32(3), learning_rate=lr, optimizer="momentum")))}


def train_state_apply(impl, rng):
    """a jitted apply_gradients updates params and step, keeps the static fields, and retraces only when learning_rate changes"""
    cls = impl.make_train_state_class()
    lr = float(np.float32(rng.uniform(0.01, 0.5)))
    step, traces = _counted_jit(lambda s, g: s.apply_gradients(g))
    results = []
    for _ in range(2):
        state = cls(params=_params(rng), step=jnp.int32(int(rng.integers(0, 9))), learning_rate=lr, optimizer="sgd")
        results.append(step(state, _params(rng)))
    children_only = traces[0]
    step(cls(params=_params(rng), step=jnp.int32(0), learning_rate=lr / 2, optimizer="sgd"), _params(rng))
    new = results[-1]
    return {"children_change": children_only, "aux_change": traces[0], "result_is_cls": type(new) is cls,
            "learning_rate": getattr(new, "learning_rate", None) if type(getattr(new, "learning_rate", None)) is float
            else _text(getattr(new, "learning_rate", None)),
            "optimizer": _text(getattr(new, "optimizer", None)),
            "params": [jax.tree.leaves(r.params) for r in results], "steps": [r.step for r in results]}


def train_state_vmap(impl, rng):
    """jax.vmap maps apply_gradients over a batch of params, with in_axes given as an instance of the class"""
    cls = impl.make_train_state_class()
    lr = float(np.float32(rng.uniform(0.01, 0.5)))
    state = cls(params=_params(rng, (3,)), step=jnp.int32(0), learning_rate=lr, optimizer="sgd")
    axes = cls(params=0, step=None, learning_rate=lr, optimizer="sgd")
    new = jax.vmap(lambda s, g: s.apply_gradients(g), in_axes=(axes, 0), out_axes=axes)(state, _params(rng, (3,)))
    return {"params": jax.tree.leaves(new.params), "step": new.step}


# ----------------------------------------------------------------------------------------- register_interval
def interval_jacobians(impl, rng):
    """jax.jacobian works through an Interval registered with register_interval"""
    cls = _fresh(impl.Interval, "Range")
    impl.register_interval(cls)
    lo = _a(rng, 3)
    interval = cls(lo, lo + jnp.abs(_a(rng, 3)))
    out = {}
    for name, function in (("identity", lambda t: t), ("width", lambda t: t.width() * t.center())):
        try:
            jacobian = jax.jacobian(function)(interval)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - the naive unflatten fails here; report it as data
            out[name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"}
            continue
        out[name] = {"error": None, "is_cls": type(jacobian) is cls, "leaves": jax.tree.leaves(jacobian)}
    return out


def interval_vmap_jit(impl, rng):
    """an Interval registered with register_interval has leaves lo and hi and goes through jax.vmap, jax.jit and jax.tree.map"""
    cls = _fresh(impl.Interval, "Range")
    impl.register_interval(cls)
    lo = _a(rng, 4, 2)
    batched = cls(lo, lo + jnp.abs(_a(rng, 4, 2)))
    doubled = jax.tree.map(lambda x: 2 * x, batched)
    return {**_leaf_report(batched), "vmap_width": jax.vmap(lambda t: t.width())(batched),
            "jit_center": jax.jit(lambda t: t.center())(batched), "mapped_is_cls": type(doubled) is cls,
            "mapped_width": doubled.width() if type(doubled) is cls else None}


# --------------------------------------------------------------------------------------------- pairwise_kl
def _pair(rng, shape):
    return (_a(rng, *shape), jnp.asarray(rng.uniform(0.5, 2.0, size=shape).astype(np.float32)))


def pairwise_kl_values(impl, rng):
    """pairwise_kl gives one KL value per (mean, std) pair in two trees of dicts and lists, eagerly and under jit"""
    shapes = {"encoder": [(3,), (2, 2)], "decoder": (4,)}
    q = {"encoder": [_pair(rng, s) for s in shapes["encoder"]], "decoder": _pair(rng, shapes["decoder"])}
    p = {"encoder": [_pair(rng, s) for s in shapes["encoder"]], "decoder": _pair(rng, shapes["decoder"])}
    out = impl.pairwise_kl(q, p)
    return {"structure": str(jax.tree.structure(out)),
            "values": {keystr(path): leaf for path, leaf in jax.tree.flatten_with_path(out)[0]},
            "jit": jax.tree.leaves(jax.jit(impl.pairwise_kl)(q, p))}
