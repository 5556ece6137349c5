# Generated from solutions/custom_pytrees.py (sha256 37f32e57abf5) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Custom PyTree nodes: teaching JAX to see inside your own classes.

Learning goals
--------------
- Register a class with ``jax.tree_util.register_pytree_node``: ``flatten`` splits an object into
  **children** (arrays: traced, differentiated, mapped) and **aux data** (static, hashable metadata compared
  on every ``jit`` call, so a change retraces), and ``unflatten`` puts it back together.
- Use the other registration styles: ``register_pytree_node_class`` (methods on the class),
  ``register_pytree_with_keys`` (readable key paths such as ``.mean``) and ``register_dataclass`` with
  static fields.
- Write an ``unflatten`` that does not run a validating ``__init__``, so that ``jax.jacobian`` and ``jax.vmap``
  can rebuild objects from placeholders.
- Send a registered class through ``jax.jit``, ``jax.grad`` and ``jax.vmap``, and get the same class back.
- Stop ``jax.tree.map`` at tuples of pairs with ``is_leaf``.
- Keep notebooks re-runnable: registering the same class twice raises ``ValueError``, so register classes
  where they are defined (or build a fresh class per call), never in a cell of its own.

Out of scope: ``flax.struct`` and ``equinox.Module`` (they wrap these same mechanisms), optax.
"""

# %%
import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import GetAttrKey

# %% [markdown]
# ## Unregistered classes are leaves
#
# JAX only looks inside containers it knows. An instance of your own class is a **leaf**, so `jax.grad` cannot
# differentiate through it, `jax.tree.map` calls your function on the whole object, and `jax.jit` refuses it
# as an argument. Registering the class tells JAX how to take it apart and put it back together:
#
# ```python
# jax.tree_util.register_pytree_node(Polynomial, flatten, unflatten)
# # flatten(p)                  -> (children, aux)   children: a tuple of arrays (or subtrees)
# # unflatten(aux, children)    -> a new Polynomial
# ```
#
# **Children** are what JAX transforms: they become tracers under `jit`, get gradients under `grad`, gain a
# batch axis under `vmap`. **Aux data** is everything else: names, flags, activation choices. It must be
# hashable and comparable with `==`; `jit` compares it on every call and retraces when it changes. Arrays
# never belong in aux data, and strings never belong in the children (a `str` leaf breaks `jit` and `grad`).
#
# ### The notebook trap
#
# Registering the same class twice raises `ValueError: Duplicate custom PyTreeDef type registration`. A cell
# that only calls `register_pytree_node(Polynomial, ...)` breaks the second time you run it. The functions
# below therefore **register the class they are given** (or build a brand-new class per call): define a class
# and register it in the same cell, for example with a decorator, and re-running stays safe.

# %%
class Polynomial:
    """``p(x) = sum_i coeffs[i] * x**i``. ``var`` names the variable (a str); it only matters for printing."""

    def __init__(self, coeffs, var: str = "x"):
        self.coeffs = coeffs
        self.var = var

    def __call__(self, x):
        return jnp.polyval(self.coeffs[::-1], x)

    def __repr__(self):
        return f"{type(self).__name__}({self.coeffs}, var={self.var!r})"


def register_polynomial(cls: type) -> type:
    """Task custom_pytrees.register_polynomial: register ``cls`` as a pytree node with ``register_pytree_node``.

    Args:
        cls: ``Polynomial`` or a subclass of it, not registered yet. Register exactly this class (and nothing
            else), so that calling ``register_polynomial`` on a fresh class is always safe.

    Returns:
        ``cls`` itself, so that the function also works as a class decorator. After the call:
        ``jax.tree.leaves(p) == [p.coeffs]`` (the only child), ``p.var`` is aux data (two objects with the same
        ``var`` have equal treedefs, a different ``var`` gives a different treedef), unflattening returns an
        instance of ``cls`` (not of the base ``Polynomial``), and ``jax.grad(lambda q: q(2.0))(p)`` returns a
        ``cls`` whose ``coeffs`` hold the gradient and whose ``var`` is unchanged.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## The decorator style: `register_pytree_node_class`
#
# The same two functions can live on the class: a method `tree_flatten(self)` and a classmethod
# `tree_unflatten(cls, aux, children)`, registered by decorating the class with
# `@jax.tree_util.register_pytree_node_class`. A registered layer is an ordinary argument to `jax.jit`, its
# gradient is a layer, and `jax.vmap` over a layer whose arrays carry a leading axis runs an ensemble.
#
# Building the class **inside a function** gives a new class per call, which is another way to keep a cell
# safe to re-run.

# %%
ACTIVATIONS = {"relu": jax.nn.relu, "tanh": jnp.tanh, "identity": lambda z: z}


class Dense:
    """A dense layer ``activation(x @ w + b)``; ``activation`` is a key of ``ACTIVATIONS`` (a str)."""

    def __init__(self, w, b, activation: str = "relu"):
        self.w, self.b, self.activation = w, b, activation

    def __call__(self, x):
        return ACTIVATIONS[self.activation](x @ self.w + self.b)


def make_dense_class() -> type:
    """Task custom_pytrees.make_dense_class: build and return a new pytree class for dense layers.

    Returns:
        A **new** subclass of ``Dense`` on every call, registered with
        ``@jax.tree_util.register_pytree_node_class`` (so it needs ``tree_flatten`` and a classmethod
        ``tree_unflatten``). Calling ``make_dense_class()`` twice gives two different classes and must not
        raise. Children are ``w`` and ``b``; ``activation`` (a str) is aux data. Then ``jax.jit(f)(layer, x)``
        works, ``jax.grad`` with respect to a layer returns an instance of the class with the same activation,
        changing only ``w``/``b`` values never retraces a jitted function while changing the activation does,
        and ``jax.vmap(lambda layer: layer(x))(stacked)`` works on a layer whose ``w`` and ``b`` have an extra
        leading axis.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Readable key paths: `register_pytree_with_keys`
#
# With `register_pytree_node`, JAX only knows the children by position, and their key paths print as
# `[<flat index 0>]`. `register_pytree_with_keys(cls, flatten_with_keys, unflatten)` takes a flatten that
# returns `((key, child), ...)` pairs; with `jax.tree_util.GetAttrKey("mean")` the path prints as `.mean`, just
# like a NamedTuple field. Error messages, `jax.tree.map_with_path` and checkpoint files all use these names.

# %%
class Gaussian:
    """A diagonal Gaussian with arrays ``mean`` and ``log_std`` (same shape) and a ``name`` (a str)."""

    def __init__(self, mean, log_std, name: str = "q"):
        self.mean, self.log_std, self.name = mean, log_std, name

    def sample(self, key):
        return self.mean + jnp.exp(self.log_std) * jax.random.normal(key, jnp.shape(self.mean))


def register_gaussian(cls: type) -> type:
    """Task custom_pytrees.register_gaussian: register ``cls`` with ``register_pytree_with_keys``.

    Args:
        cls: ``Gaussian`` or a subclass of it, not registered yet. Register exactly this class.

    Returns:
        ``cls`` itself. After the call the children of ``g`` are ``g.mean`` then ``g.log_std``, with the key
        paths ``GetAttrKey("mean")`` and ``GetAttrKey("log_std")``, so that
        ``[jax.tree_util.keystr(p) for p, _ in jax.tree.flatten_with_path({"q": g})[0]]`` is
        ``["['q'].mean", "['q'].log_std"]``. ``g.name`` is aux data, and unflattening returns a ``cls``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Dataclasses: `register_dataclass` and static fields
#
# For a `@dataclasses.dataclass`, `@jax.tree_util.register_dataclass` does the flattening for you: every field
# is a child **unless** it is marked static with `dataclasses.field(metadata=dict(static=True))` (or
# `jax.tree.static()`). An unmarked `learning_rate: float` silently becomes a traced leaf, and an unmarked
# `optimizer: str` breaks `jit` with "not a valid JAX type".

# %%
def make_train_state_class() -> type:
    """Task custom_pytrees.make_train_state_class: build and return a new dataclass pytree for training state.

    Returns:
        A **new** class on every call (two calls give two classes and must not raise): a
        ``@dataclasses.dataclass`` registered with ``jax.tree_util.register_dataclass``, with the fields, in
        this order, ``params`` (any pytree of float arrays) and ``step`` (an int32 scalar array), which are the
        children, and ``learning_rate`` (a Python float) and ``optimizer`` (a str, such as ``"sgd"``), which are
        **static** fields (aux data). It is constructed with keywords:
        ``cls(params=..., step=..., learning_rate=..., optimizer=...)``, and has a method
        ``apply_gradients(self, grads)`` returning a new instance with
        ``params - learning_rate * grads`` (leaf by leaf), ``step + 1``, and the same static fields.
        ``jax.tree.leaves(state)`` is then the leaves of ``params`` followed by ``step``; a jitted
        ``apply_gradients`` retraces when ``learning_rate`` changes but not when ``params`` values do.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## `unflatten` must not validate
#
# JAX sometimes unflattens with things that are not your arrays: `jax.jacobian` and `jax.vmap` rebuild
# objects whose children are `None`, `object()` sentinels or axis specifications. If `unflatten` calls an
# `__init__` that converts or checks its arguments (`jnp.asarray(None)` raises), those transformations break.
# Create the instance with `object.__new__(cls)` and set the attributes directly.

# %%
class Interval:
    """Elementwise intervals ``[lo, hi]``. ``__init__`` validates: float32 arrays of one shape."""

    def __init__(self, lo, hi):
        lo, hi = jnp.asarray(lo, jnp.float32), jnp.asarray(hi, jnp.float32)
        if lo.shape != hi.shape:
            raise ValueError(f"lo and hi must have one shape, got {lo.shape} and {hi.shape}")
        self.lo, self.hi = lo, hi

    def width(self):
        return self.hi - self.lo

    def center(self):
        return (self.lo + self.hi) / 2


def register_interval(cls: type) -> type:
    """Task custom_pytrees.register_interval: register ``cls`` so that ``jax.jacobian`` and ``jax.vmap`` work.

    Args:
        cls: ``Interval`` or a subclass of it, not registered yet. Register exactly this class.

    Returns:
        ``cls`` itself. Children are ``lo`` then ``hi``; there is no aux data (use ``None``). ``unflatten`` must
        return a ``cls`` **without calling** ``cls.__init__`` (which rejects the placeholders JAX passes), so
        that ``jax.jacobian(lambda t: t)(interval)``, ``jax.jacobian(lambda t: t.width())(interval)`` and
        ``jax.vmap(lambda t: t.width())(batched)`` all work.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Tuples as leaves: `is_leaf`
#
# Sometimes a tuple is data, not a container: a `(mean, std)` pair describing one distribution. `jax.tree.map`
# still descends into it. `is_leaf=lambda x: isinstance(x, tuple)` stops the descent, and the mapped function
# receives whole pairs, one from each tree.

# %%
def pairwise_kl(q, p):
    """Task custom_pytrees.pairwise_kl: KL divergence between matching Gaussians of two trees.

    Args:
        q, p: pytrees with the same structure whose containers are dicts and lists, and whose "leaves" are
            ``(mean, std)`` tuples of float32 arrays (``mean`` and ``std`` of one shape, ``std > 0``).

    Returns:
        A tree with the dicts and lists of ``q`` in which each pair is replaced by the float32 scalar
        ``sum(log(std_p / std_q) + (std_q**2 + (mean_q - mean_p)**2) / (2 * std_p**2) - 1/2)`` (the sum runs
        over the pair's array elements). Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
if __name__ == "__main__":
    try:
        Layer = make_dense_class()
        layer = Layer(jnp.ones((2, 3)), jnp.zeros(3), "tanh")
        print(jax.tree.structure(layer))
        print(jax.grad(lambda l: jnp.sum(l(jnp.ones((1, 2)))))(layer).w)
    except NotImplementedError:
        print("Finish make_dense_class to see a registered layer go through jax.grad here.")
