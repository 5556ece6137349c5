"""Hidden checks for topic `custom_pytrees`.

Probes register fresh classes (the student's functions register the class they are given, or build a new
one per call) and describe them as plain data: leaves, leaf kinds, key-path strings, isinstance answers,
trace counts. The checks never demand the reference's treedef of a custom node, only what any correct
registration gives. Docstrings list the classic mistakes each check rejects.
"""
import pytest

from autograder.compare import expect, expect_match
from autograder.sandbox.probes import custom_pytrees as probes


def _expect_array_children(got, what: str, children: str) -> None:
    kinds = got["leaf_kinds"]
    strays = sorted({kind for kind in kinds if kind != "array"})
    expect(not strays,
           f"jax.tree.leaves({what}) holds {', '.join(strays)} leaves next to the arrays: a hyperparameter went "
           f"into the children. Only arrays ({children}) are children; names, flags and activation choices are "
           "aux data (static, compared on every jit call), or jit and grad fail on the non-array leaf.")
    expect(len(kinds) > 0,
           f"jax.tree.leaves({what}) is empty: the arrays ({children}) went into the aux data. Arrays must be "
           "children, so that jit traces them and grad differentiates them; aux data is static metadata that "
           "must be hashable and is compared with == on every call.")


def _expect_traces(got, what: str, children: str, aux: str) -> None:
    expect(got["children_change"] == 1,
           f"jax.jit traced {got['children_change']} times for 3 calls where only {children} changed; expected 1. "
           f"Values that change between calls must be children (traced), not aux data.")
    expect(got["aux_change"] == 2,
           f"After changing {aux}, jax.jit had traced {got['aux_change']} times in all; expected 2 (one retrace). "
           f"{aux} must be aux data, so that {what} with a different {aux} compiles its own program.")


@pytest.mark.task("custom_pytrees.register_polynomial")
def test_polynomial_children_and_aux(run):
    """Rejects: the var name in the children (a str leaf), the coeffs in the aux data (no leaves), unflatten
    building the base Polynomial instead of the registered cls, forgetting to return cls."""
    got, ref = run(probes.polynomial_structure)
    _expect_array_children(got, "p", "the coeffs")
    expect(got["returns_cls"] is True, "register_polynomial(cls) must return cls itself (so it works as a decorator).")
    expect(got["rebuilt_is_cls"] is True,
           "Unflattening a registered polynomial gave an object that is not an instance of the class you registered: "
           "unflatten must build cls(...), the class passed in, not Polynomial(...).")
    expect(got["same_var_same_treedef"] is True and got["new_var_new_treedef"] is True,
           "Treedefs do not follow var: two polynomials with the same var must have equal treedefs and a different "
           f"var a different one (got {got['same_var_same_treedef']!r} and {got['new_var_new_treedef']!r}). Put var, "
           "and only var, in the aux data.")
    expect_match(got, ref, call="flattening and unflattening a registered Polynomial(random coeffs, 'x')",
                 hint="flatten returns ((p.coeffs,), p.var); unflatten(var, children) returns cls(children[0], var).")


@pytest.mark.task("custom_pytrees.register_polynomial")
def test_polynomial_grad_returns_the_class(run):
    """Rejects: var in the children (grad fails on a str leaf), unflatten dropping or resetting var, unflatten
    returning the base class."""
    got, ref = run(probes.polynomial_grad)
    expect(got["grad_is_cls"] is True, "jax.grad(lambda q: q(x))(p) did not return an instance of the registered "
           "class: unflatten must build cls.")
    expect_match(got, ref, call="jax.grad(lambda q: q(x))(p), jax.tree.map(lambda c: 2 * c, p) and jax.jit(lambda q, "
                 "v: q(v))(p, x) for a random registered polynomial",
                 hint="the gradient is a polynomial whose coeffs are x**i, with the same var.")


@pytest.mark.task("custom_pytrees.register_polynomial")
def test_polynomial_retraces_only_on_aux(run):
    """Rejects: coeffs in the aux data (a retrace, or an error, per new coeffs), var in the children (jit fails,
    or no retrace when var changes)."""
    got, _ = run(probes.polynomial_traces)
    _expect_traces(got, "a polynomial", "the coeffs", "var")


@pytest.mark.task("custom_pytrees.make_dense_class")
def test_dense_class_is_new_and_registered(run):
    """Rejects: the activation in the children (a str leaf), w or b in the aux data, one module-level class
    registered inside the factory (the second call raises ValueError: duplicate registration)."""
    got, _ = run(probes.dense_classes)
    expect(got["second_call_new_class"] is True,
           f"Calling make_dense_class() a second time did not give a new class ({got['second_call_new_class']}). "
           "Define and register the class inside the function: registering one class twice raises ValueError "
           "(the notebook re-run trap).")
    expect(got["is_dense"] is True, "make_dense_class() must return a subclass of Dense.")
    _expect_array_children(got, "layer", "w and b")
    expect(len(got["leaf_kinds"]) == 2, f"jax.tree.leaves(layer) has {len(got['leaf_kinds'])} leaves, expected 2 (w and b).")
    expect(got["same_activation_same_treedef"] is True and got["new_activation_new_treedef"] is True,
           "Treedefs do not follow the activation: layers with the same activation must have equal treedefs and a "
           "different activation a different one. The activation is the aux data.")


@pytest.mark.task("custom_pytrees.make_dense_class")
def test_dense_through_jit_grad_vmap(run):
    """Rejects: the activation in the children (jit and grad fail on the str leaf), tree_unflatten building
    the base Dense or dropping the activation, children in a different order than tree_unflatten expects."""
    got, ref = run(probes.dense_transforms)
    expect(got["grad_is_cls"] is True, "jax.grad with respect to a layer did not return the registered class: "
           "tree_unflatten must be a classmethod that builds cls(...).")
    expect_match(got, ref, call="jax.jit of a loss, jax.grad with respect to the layer, and jax.vmap over a stacked "
                 "ensemble of 2 layers", hint="tree_flatten returns ((self.w, self.b), self.activation); "
                 "tree_unflatten(cls, activation, children) returns cls(*children, activation).")


@pytest.mark.task("custom_pytrees.make_dense_class")
def test_dense_retraces_only_on_activation(run):
    """Rejects: w/b in the aux data (a retrace per new value), the activation in the children."""
    got, _ = run(probes.dense_traces)
    _expect_traces(got, "a layer", "w and b", "the activation")


@pytest.mark.task("custom_pytrees.register_gaussian")
def test_gaussian_key_paths(run):
    """Rejects: plain register_pytree_node (paths `[<flat index 0>]`), DictKey instead of GetAttrKey (paths
    `['mean']`), children in the order (log_std, mean), name in the children, unflatten building the base class."""
    got, ref = run(probes.gaussian_key_paths)
    _expect_array_children(got, "tree", "mean and log_std")
    expect_match(got["paths"], ref["paths"], call="the key paths (keystr of jax.tree.flatten_with_path) of "
                 "{'encoder': Gaussian, 'priors': [Gaussian]}",
                 hint="register with jax.tree_util.register_pytree_with_keys and return ((GetAttrKey('mean'), "
                      "g.mean), (GetAttrKey('log_std'), g.log_std)) as the children; a GetAttrKey prints as .mean.")
    expect(got["returns_cls"] is True and got["mapped_is_cls"] is True,
           "register_gaussian must return cls, and jax.tree.map_with_path over a registered Gaussian must give back "
           "an instance of cls: unflatten builds cls(...).")
    expect(got["name_is_aux"] is True, "Two Gaussians that differ only in name have equal treedefs: name belongs in "
           "the aux data.")
    expect_match(got, ref, call="jax.tree.map_with_path and jax.jit over a tree of registered Gaussians",
                 hint="unflatten(name, children) returns cls(*children, name).")


@pytest.mark.task("custom_pytrees.make_train_state_class")
def test_train_state_fields(run):
    """Rejects: learning_rate or optimizer not marked static (they become leaves: a str leaf breaks jit, a float
    leaf is traced), one module-level class registered inside the factory, a plain class (not a dataclass)."""
    got, ref = run(probes.train_state_fields)
    expect(got["second_call_new_class"] is True,
           f"Calling make_train_state_class() a second time did not give a new class "
           f"({got['second_call_new_class']}). Define and register the dataclass inside the function.")
    expect(got["is_dataclass"] is True, "make_train_state_class() must return a dataclasses.dataclass.")
    kinds = got["leaf_kinds"]
    expect(kinds == ["array"] * len(kinds) and len(kinds) == len(ref["leaf_kinds"]),
           f"jax.tree.leaves(state) holds {len(kinds)} leaves of kinds {sorted(set(kinds))}; expected only the "
           f"{len(ref['leaf_kinds'])} arrays of params and step. Mark learning_rate and optimizer as static fields "
           "(dataclasses.field(metadata=dict(static=True))): unmarked fields become leaves.")
    expect(got["same_static_same_treedef"] is True and got["new_lr_new_treedef"] is True
           and got["new_optimizer_new_treedef"] is True,
           "Treedefs do not follow the static fields: states with equal learning_rate and optimizer must have equal "
           "treedefs, and a change of either must change the treedef (static fields are aux data).")
    expect_match(got["array_leaves"], ref["array_leaves"], call="jax.tree.leaves(state)",
                 hint="the fields params and step, in this order, are the data fields.")


@pytest.mark.task("custom_pytrees.make_train_state_class")
def test_train_state_apply_gradients_under_jit(run):
    """Rejects: learning_rate traced as a leaf (no retrace when it changes), apply_gradients that forgets step
    or the static fields, subtracting the gradient without the learning rate, mutating self."""
    got, ref = run(probes.train_state_apply)
    expect(got["result_is_cls"] is True, "apply_gradients did not return an instance of the class.")
    _expect_traces(got, "a state", "params and step", "learning_rate")
    expect_match(got, ref, call="jax.jit(lambda s, g: s.apply_gradients(g)) on random states and gradients",
                 hint="return dataclasses.replace(self, params=params - learning_rate * grads, step=self.step + 1).")


@pytest.mark.task("custom_pytrees.make_train_state_class")
def test_train_state_vmap_with_class_axes(run):
    """Rejects: a class whose constructor does not take the four fields as keywords, static fields that are
    leaves (in_axes then needs axes for them)."""
    got, ref = run(probes.train_state_vmap)
    expect_match(got, ref, call="jax.vmap(apply_gradients, in_axes=(cls(params=0, step=None, ...), 0)) over a "
                 "batch of 3 params trees", hint="params and step are the only data fields.")


@pytest.mark.task("custom_pytrees.register_interval")
def test_interval_jacobian(run):
    """Rejects: unflatten calling cls(lo, hi) (its __init__ runs jnp.asarray on JAX's placeholders and
    jax.jacobian fails), unflatten building the base Interval, children in the wrong order."""
    got, ref = run(probes.interval_jacobians)
    for name, result in got.items():
        expect(result.get("error") is None,
               f"jax.jacobian through a registered Interval ({name}) failed with {result.get('error')}. unflatten "
               "called __init__, which validates its arguments, but JAX rebuilds objects from placeholders such as "
               "None. Create the instance with object.__new__(cls) and set lo and hi directly.")
        expect(result["is_cls"] is True, f"jax.jacobian ({name}) did not return an instance of the registered class.")
    expect_match(got, ref, call="jax.jacobian(lambda t: t)(interval) and jax.jacobian(lambda t: t.width() * "
                 "t.center())(interval)", hint="children (lo, hi), aux None, unflatten via object.__new__(cls).")


@pytest.mark.task("custom_pytrees.register_interval")
def test_interval_vmap_jit_tree_map(run):
    """Rejects: lo and hi swapped or missing, aux data holding the arrays, unflatten returning a plain tuple."""
    got, ref = run(probes.interval_vmap_jit)
    _expect_array_children(got, "interval", "lo and hi")
    expect(got["mapped_is_cls"] is True, "jax.tree.map over a registered Interval did not return an instance of it.")
    expect_match(got, ref, call="jax.vmap(lambda t: t.width()), jax.jit(lambda t: t.center()) and jax.tree.map "
                 "over a batch of 4 intervals", hint="children (lo, hi) in this order.")


@pytest.mark.task("custom_pytrees.pairwise_kl")
def test_pairwise_kl_one_value_per_pair(run):
    """Rejects: jax.tree.map without is_leaf (it descends into the (mean, std) tuples), a KL per element
    instead of summed, the KL in the wrong direction."""
    got, ref = run(probes.pairwise_kl_values)
    expect_match(got["structure"], ref["structure"], call="jax.tree.structure(pairwise_kl(q, p))",
                 hint="one value per (mean, std) pair: pass is_leaf=lambda x: isinstance(x, tuple) to jax.tree.map, "
                      "otherwise it descends into the pairs.")
    expect_match(got, ref, call="pairwise_kl(q, p) on random trees of (mean, std) pairs (eager and jitted)",
                 hint="KL(q || p) = sum(log(std_p / std_q) + (std_q**2 + (mean_q - mean_p)**2) / (2 std_p**2) - 1/2).",
                 rtol=1e-4, atol=1e-5)
