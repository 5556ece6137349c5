"""Hidden checks for topic `custom_pytrees`.

Each check compares what the student's registration gave back (``got.out``: leaves, attributes of rebuilt
objects, key paths, values computed through jit/grad/vmap on fresh random inputs) with what the reference gives
on the same inputs, computed in the grader's own process (``ref``). Facts measured beside the student's code
(``got.report``: is a rebuilt object an instance of the registered class, treedef equality, trace counts, calls
to ``__init__``, whether a method modified ``self``) only ever take points away. No check demands the
reference's treedef of a custom node, only what any correct registration gives. Docstrings list the mistakes
each check rejects.
"""
import pytest

from autograder.grading.compare import expect, expect_match
from autograder.sandbox.probes import custom_pytrees as probes


def _children_problem(leaves, what: str, children: str) -> str | None:
    """A sentence naming what the leaves (plain data from the student's side) show is wrong, or None."""
    if type(leaves) is not list:
        return None
    if any(type(leaf) is str and leaf.startswith("<") and leaf.endswith(" object>") for leaf in leaves):
        return (f"jax.tree.leaves({what}) holds the object itself: JAX treats it as a leaf, so the class was not "
                "registered. Register exactly the class you were given.")
    names = [leaf for leaf in leaves if type(leaf) is str]
    if names:
        return (f"jax.tree.leaves({what}) holds the str {names[0]!r} next to the arrays: a hyperparameter went into "
                f"the children. Only arrays ({children}) are children; names, flags and activation choices are aux "
                "data (a str leaf breaks jax.jit and jax.grad).")
    numbers = [leaf for leaf in leaves if type(leaf) in (int, float, bool)]
    if numbers:
        return (f"jax.tree.leaves({what}) holds the Python number {numbers[0]!r} next to the arrays: a hyperparameter "
                f"went into the children, where jax.jit traces it. Only arrays ({children}) are children.")
    if not leaves:
        return (f"jax.tree.leaves({what}) is empty: the object has no children, so its arrays ({children}) are not "
                "children. Arrays must be children, so that jit traces them and grad differentiates them; aux data "
                "is static metadata compared with == on every jit call.")
    return None


def _expect_children(leaves, what: str, children: str) -> None:
    problem = _children_problem(leaves, what, children)
    expect(problem is None, problem or "")


def _all_true(values) -> bool:
    return type(values) is list and bool(values) and all(v is True for v in values)


def _expect_treedefs(same, new, what: str, field: str) -> None:
    errors = [v for v in (same if type(same) is list else [same]) if type(v) is str]
    expect(not errors,
           f"Comparing the treedefs of two {what}s raised {errors[0] if errors else ''}: the aux data must be "
           f"hashable and comparable with ==, so it cannot hold arrays; only {field} belongs there.")
    expect(_all_true(same if type(same) is list else [same]),
           f"Two {what}s with the same {field} and different array values have different treedefs: the aux data "
           f"must hold {field} only, never the arrays.")
    expect(_all_true(new if type(new) is list else [new]),
           f"Two {what}s that differ only in {field} have equal treedefs: {field} is not in the aux data, so "
           f"jax.jit cannot tell them apart (and rebuilt objects cannot get it back).")


# -------------------------------------------------------------------------------------- register_polynomial
@pytest.mark.task("custom_pytrees.register_polynomial")
def test_polynomial_registration(run):
    """Rejects: var among the children (a str leaf), the coeffs in the aux data (no children), `return
    p.coeffs, p.var` without the 1-tuple (every coefficient a child), registering Polynomial instead of cls,
    unflatten building the base Polynomial, dropping var (rebuilt objects get the default), forgetting to
    return cls."""
    got, ref = run(probes.polynomial_registration)
    names = ref.given["names"]
    out = got.out if type(got.out) is dict else {}
    for label in ("poly", "deeper"):
        entry = out.get(label)
        _expect_children(entry.get("leaves") if type(entry) is dict else None, "p", "the coeffs")
    expect(_all_true(got.report["returns_cls"]),
           "register_polynomial(cls) did not return cls itself: return the class you were given, so that it works "
           "as a decorator.")
    expect(_all_true(got.report["rebuilt_is_cls"]),
           "Unflattening a registered polynomial (jax.tree.unflatten, jax.tree.map) gave an object that is not an "
           "instance of the class you registered: unflatten must build the class it was given, not Polynomial.")
    _expect_treedefs(got.report["same_var_same_treedef"], got.report["new_var_new_treedef"], "polynomial", "var")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.tree.leaves, jax.tree.map and jax.tree.unflatten on fresh registered subclasses of "
                      f"Polynomial (one derived from another) with random coeffs and var {names[0]!r} and {names[1]!r}",
                 hint="the coeffs array is the one child; var is the aux data and comes back unchanged.")


@pytest.mark.task("custom_pytrees.register_polynomial")
def test_polynomial_through_transforms(run):
    """Rejects: var among the children (jit and grad fail on the str), the coeffs in the aux data (grad hands
    back the coeffs, jit fails on the second call), dropping var, unflatten building the base class, var not
    in the aux data (no new trace for a new var)."""
    got, ref = run(probes.polynomial_transforms)
    given = ref.given
    expect(_all_true(got.report["is_cls"]),
           "jax.grad, jax.jit or jax.vmap returned an object that is not an instance of the registered class: "
           "unflatten must build the class it was given.")
    expect(got.report["traces_same_var"] == 1,
           f"jax.jit traced {got.report['traces_same_var']} times for 3 polynomials that differ only in their coeffs "
           "values; expected 1. Only the aux data (var) may decide when jit traces again.")
    expect(got.report["traces_new_var"] == 2,
           f"After a polynomial with a new var, jax.jit had traced {got.report['traces_new_var']} times in all; "
           "expected 2: var is aux data, and a new aux value means a new trace.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.grad(lambda q: q(x))(p) with x = {given['x']:.3f} for {given['size']} random coeffs, "
                      f"jax.jit and jax.vmap over a batch of {given['batch']} polynomials (var {given['names'][0]!r}, "
                      f"{given['names'][1]!r}, {given['names'][2]!r})",
                 hint="the gradient is a polynomial of the same class and var whose coeffs are x**i.")


# ------------------------------------------------------------------------------------------ make_dense_class
@pytest.mark.task("custom_pytrees.make_dense_class")
def test_dense_classes(run):
    """Rejects: one module-level class registered inside the factory (the second call raises ValueError), a
    cached class returned on every call, the activation among the children (a str leaf), w and b in the aux
    data, tree_unflatten building the base Dense or ignoring the aux data, children in another order."""
    got, ref = run(probes.dense_classes)
    expect(got.report["new_class_each_call"] is True,
           "make_dense_class() returned the same class twice: define and register a new class inside the function "
           "on every call.")
    expect(_all_true(got.report["subclass_of_dense"]), "make_dense_class() must return a subclass of Dense.")
    out = got.out if type(got.out) is dict else {}
    for label in ("first", "second"):
        entry = out.get(label)
        _expect_children(entry.get("leaves") if type(entry) is dict else None, "layer", "w and b")
    expect(_all_true(got.report["rebuilt_is_cls"]),
           "tree_unflatten (or jax.tree.map) gave an object that is not an instance of the class: make "
           "tree_unflatten a classmethod that builds cls(...).")
    _expect_treedefs(got.report["same_activation_same_treedef"], got.report["new_activation_new_treedef"], "layer",
                     "the activation")
    acts = ref.given["activations"]
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"layer.tree_flatten(), cls.tree_unflatten(aux, children), jax.tree.leaves and jax.tree.map on "
                      f"layers of two classes from make_dense_class() (activations {acts[0]!r} and {acts[1]!r})",
                 hint="the children are (w, b) in this order; the activation is the aux data and comes back "
                      "unchanged.")


@pytest.mark.task("custom_pytrees.make_dense_class")
def test_dense_through_transforms(run):
    """Rejects: the activation among the children (jit and grad fail), w and b in the aux data (jit fails on
    the second call, grad returns the weights), tree_unflatten ignoring the aux data, w and b swapped."""
    got, ref = run(probes.dense_transforms)
    given = ref.given
    expect(_all_true(got.report["is_cls"]),
           "jax.grad, jax.jit or jax.vmap returned an object that is not an instance of the class from "
           "make_dense_class(): tree_unflatten must build cls(...).")
    expect(got.report["traces_same_activation"] == 1,
           f"jax.jit traced {got.report['traces_same_activation']} times for 3 layers that differ only in w and b "
           "values; expected 1. Only the aux data (the activation) may decide when jit traces again.")
    expect(got.report["traces_new_activation"] == 2,
           f"After a layer with a new activation, jax.jit had traced {got.report['traces_new_activation']} times in "
           "all; expected 2: the activation is aux data, and a new aux value means a new trace.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.jit of a loss, jax.grad with respect to a {given['d_in']}x{given['d_out']} layer "
                      f"({given['activations'][0]!r}), jax.vmap over {given['members']} stacked layers "
                      f"({given['activations'][1]!r}) and jitted calls on {given['rows']} rows",
                 hint="the gradient is a layer of the same class and activation; w and b are the children.")


# ----------------------------------------------------------------------------------------- register_gaussian
@pytest.mark.task("custom_pytrees.register_gaussian")
def test_gaussian_key_paths(run):
    """Rejects: plain register_pytree_node (paths `[<flat index 0>]`), DictKey instead of GetAttrKey (paths
    `['mean']`), children in the order (log_std, mean), keys that do not match their children, name among
    the children, dropping name, unflatten building the base Gaussian."""
    got, ref = run(probes.gaussian_key_paths)
    out = got.out if type(got.out) is dict else {}
    _expect_children(out.get("leaves"), "tree", "mean and log_std")
    paths = out.get("paths")
    if type(paths) is list and paths and all(type(p) is str for p in paths):
        expect(not any("<flat index" in p for p in paths),
               f"The key paths are {paths[:2]}...: JAX knows the children only by position. Register with "
               "jax.tree_util.register_pytree_with_keys, whose flatten returns (key, child) pairs.")
        expect(not any(p.endswith(("['mean']", "['log_std']")) for p in paths),
               f"The key paths are {paths[:2]}...: DictKey prints like a dict entry. A GetAttrKey prints as .mean.")
    outer = ref.given["outer"]
    expect_match(paths, ref.out["paths"],
                 call=f"the key paths (keystr of jax.tree.flatten_with_path) of {{{outer[0]!r}: Gaussian, "
                      f"{outer[1]!r}: [Gaussian, Gaussian]}}",
                 hint="each child comes with its key: GetAttrKey('mean') for the mean, then GetAttrKey('log_std').")
    expect(got.report["returns_cls"] is True, "register_gaussian(cls) must return cls itself.")
    expect(_all_true(got.report["rebuilt_is_cls"]),
           "jax.tree.map_with_path over registered Gaussians gave objects that are not instances of the registered "
           "class: unflatten must build the class it was given.")
    _expect_treedefs([got.report["same_name_same_treedef"]], [got.report["new_name_new_treedef"]], "Gaussian",
                     "the name")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call="jax.tree.leaves and jax.tree.map_with_path (adding each path's length to its leaf) over a tree "
                      "of registered Gaussians with random arrays and names",
                 hint="the children are mean then log_std; the name is aux data and comes back unchanged.")


@pytest.mark.task("custom_pytrees.register_gaussian")
def test_gaussian_through_transforms(run):
    """Rejects: name among the children (jit and grad fail on the str), dropping name, children swapped
    between flatten and unflatten, unflatten building the base class."""
    got, ref = run(probes.gaussian_transforms)
    expect(_all_true(got.report["is_cls"]),
           "jax.grad or jax.jit returned an object that is not an instance of the registered class: unflatten must "
           "build the class it was given.")
    expect_match(got.out, ref.out, exact_dtype=True, rtol=1e-5, atol=1e-5,
                 call=f"jax.grad of sum(g.sample(key) ** 2), jax.jit and jax.vmap of sample over "
                      f"{ref.given['batch']} stacked Gaussians (names {ref.given['names']})",
                 hint="a rebuilt Gaussian has mean and log_std in their places and the same name.")


# ------------------------------------------------------------------------------------ make_train_state_class
@pytest.mark.task("custom_pytrees.make_train_state_class")
def test_train_state_structure(run):
    """Rejects: learning_rate or optimizer not marked static (a float or str leaf), one module-level class
    registered inside the factory (the second call raises ValueError), a plain class (not a dataclass), a
    dataclass registered with register_pytree_node (no key paths), fields in another order than params, step."""
    got, ref = run(probes.train_state_structure)
    expect(got.report["new_class_each_call"] is True,
           "make_train_state_class() returned the same class twice: define and register the dataclass inside the "
           "function on every call.")
    expect(_all_true(got.report["is_dataclass"]), "make_train_state_class() must return a dataclasses.dataclass.")
    out = got.out if type(got.out) is dict else {}
    for label in ("first", "second"):
        entry = out.get(label)
        leaves = entry.get("leaves") if type(entry) is dict else None
        problem = _children_problem(leaves, "state", "the params and step")
        if problem is not None and "went into the children" in problem:
            problem += (" Mark learning_rate and optimizer as static fields: unmarked dataclass fields become "
                        "leaves.")
        expect(problem is None, problem or "")
    expect(_all_true(got.report["rebuilt_is_cls"]),
           "jax.tree.map or jax.jit gave back an object that is not an instance of the class.")
    _expect_treedefs(got.report["same_static_same_treedef"], got.report["new_rate_new_treedef"], "state",
                     "learning_rate")
    _expect_treedefs(got.report["same_static_same_treedef"], got.report["new_optimizer_new_treedef"], "state",
                     "optimizer")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.tree.leaves, jax.tree.flatten_with_path, jax.tree.map and jax.tree.unflatten on states of "
                      f"two classes from "
                      f"make_train_state_class() (learning rates {ref.given['rates']}, optimizers "
                      f"{ref.given['optimizers'][:2]})",
                 hint="params and step are the children (in this order), with the key paths register_dataclass gives "
                      "them (.params, .step); learning_rate stays a Python float and optimizer a str.")


@pytest.mark.task("custom_pytrees.make_train_state_class")
def test_train_state_apply_gradients(run):
    """Rejects: apply_gradients assigning to self and returning it (eager calls see it), forgetting step,
    a float step, adding the gradient, leaving out the learning rate, learning_rate traced as a leaf (no new
    trace when it changes), static fields lost in the new state."""
    got, ref = run(probes.train_state_apply)
    expect(got.report["state_untouched"] is True,
           "state.apply_gradients(grads), called eagerly, changed the state it was called on (its params or step "
           "are no longer the objects and values they were): return a new instance and leave self as it was. "
           "Under jax.jit this cannot show, because the method works on a rebuilt copy.")
    expect(_all_true(got.report["is_cls"]), "apply_gradients did not return an instance of the class.")
    expect(got.report["traces_same_static"] == 1,
           f"jax.jit traced apply_gradients {got.report['traces_same_static']} times for 3 states with equal "
           "learning_rate and optimizer; expected 1: params and step are children.")
    expect(got.report["traces_new_static"] == 3,
           f"After a new learning_rate and then a new optimizer, jax.jit had traced {got.report['traces_new_static']}"
           " times in all; expected 3: static fields are aux data, and a new aux value means a new trace.")
    rates = ref.given["rates"]
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"state.apply_gradients(grads) twice on one state (learning_rate {rates[1]}), jitted on 5 "
                      f"states (learning rates {rates}) and vmapped over {ref.given['batch']} states",
                 hint="each call returns a new state: params - learning_rate * grads leaf by leaf, step + 1 as int32, "
                      "the same learning_rate and optimizer.")


# ----------------------------------------------------------------------------------------- register_interval
@pytest.mark.task("custom_pytrees.register_interval")
def test_interval_registration(run):
    """Rejects: unflatten calling cls(...) or Interval.__init__ (also only as a first try), unflatten building
    the base Interval, lo and hi swapped in unflatten, arrays in the aux data, forgetting to return cls."""
    got, ref = run(probes.interval_registration)
    calls = got.report["init_calls"]
    expect(calls == 0,
           f"Rebuilding a registered Interval called Interval.__init__ ({calls} times during jax.tree.unflatten and "
           "jax.tree.map). __init__ converts and validates, and JAX rebuilds objects from values it would reject or "
           "change: create the instance with object.__new__(cls) and set lo and hi directly.")
    out = got.out if type(got.out) is dict else {}
    _expect_children(out.get("leaves"), "interval", "lo and hi")
    expect(got.report["returns_cls"] is True, "register_interval(cls) must return cls itself.")
    expect(_all_true(got.report["rebuilt_is_cls"]),
           "A rebuilt interval (jax.tree.unflatten, jax.tree.map) is not an instance of the class you registered: "
           "create it with object.__new__(cls), the class you were given.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.tree.leaves, jax.tree.unflatten and jax.tree.map on a registered interval of shape "
                      f"({ref.given['rows']}, {ref.given['cols']})",
                 hint="the children are lo then hi, and unflatten puts each back in its place.")


@pytest.mark.task("custom_pytrees.register_interval")
def test_interval_transforms_and_placeholders(run):
    """Rejects: unflatten calling the validating __init__ (None and shape structs raise, booleans become
    floats), unflatten converting the children with jnp.asarray, unflatten checking the children's shapes,
    unflatten trying __init__ first, unflatten building the base Interval (jit cannot return it)."""
    got, ref = run(probes.interval_transforms)
    given = ref.given
    expect(_all_true(got.report["is_cls"]),
           "jax.jit, jax.grad, jax.vmap, jax.tree.map, jax.eval_shape or jax.jacobian returned an object that is not "
           "an instance of the registered class.")
    expect_match(got.out, ref.out, exact_dtype=True,
                 call=f"jax.jit, jax.grad and jax.vmap (over {given['batch']} intervals), jax.tree.map(lambda x: None, "
                      f"t), jax.tree.map(lambda x: x > {given['threshold']:.3f}, t), jax.eval_shape(lambda u: u, t), "
                      "jax.jacobian(lambda u: u)(t) and jax.jacobian(lambda u: u.width() * u.center())(t) on a "
                      f"registered interval of {given['n']} elements",
                 hint="unflatten must store exactly the children it receives: no conversion, no checks.")


# --------------------------------------------------------------------------------------------- pairwise_kl
@pytest.mark.task("custom_pytrees.pairwise_kl")
def test_pairwise_kl_values(run):
    """Rejects: jax.tree.map without is_leaf (it descends into the (mean, std) tuples), a KL per element
    instead of summed, a mean instead of a sum, KL(p || q), std in place of the variance, a missing - 1/2,
    a flat list instead of the tree, a Python float or float64 result."""
    got, ref = run(probes.pairwise_kl_values)
    out = got.out if type(got.out) is dict else {}
    structure = out.get("structure")
    if type(structure) is str and structure != ref.out["structure"]:
        expect("(*" not in structure,
               f"pairwise_kl(q, p) returned {structure}: tuples remain where the (mean, std) pairs were, so the "
               "function was applied to the arrays inside the pairs. Pass is_leaf to jax.tree.map so that it stops "
               "at the pairs.")
    expect_match(out.get("structure"), ref.out["structure"], call="jax.tree.structure(pairwise_kl(q, p))",
                 hint="the result keeps the dicts and lists of q, with one scalar where each pair was.")
    expect_match(got.out, ref.out, exact_dtype=True, rtol=1e-4, atol=1e-5,
                 call="pairwise_kl(q, p) on random trees of (mean, std) pairs (0-d pairs and an empty list among "
                      "them), jitted, and on a single pair both ways round",
                 hint="KL(q || p) = sum(log(std_p / std_q) + (std_q**2 + (mean_q - mean_p)**2) / (2 std_p**2) - 1/2), "
                      "one float32 scalar per pair.")
