# Generated from solutions/custom_pytrees.py (sha256 5a55dae8fa6a) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Custom PyTree nodes: teaching JAX to see inside your own classes.

Learning goals
--------------
- Register a class with ``jax.tree_util.register_pytree_node``: ``flatten`` splits an object into
  **children** (arrays: traced, differentiated, mapped) and **aux data** (static, hashable metadata compared
  on every ``jit`` call, so a change retraces), and ``unflatten`` puts it back together as the registered class.
- Use the other registration styles: ``register_pytree_node_class`` (methods on the class),
  ``register_pytree_with_keys`` (readable key paths such as ``.mean``) and ``register_dataclass`` with
  static fields.
- Write an ``unflatten`` that stores what it is given without running a validating ``__init__``, so that
  ``jax.jacobian``, ``jax.eval_shape`` and ``jax.tree.map`` can rebuild objects from values that are not arrays.
- Send a registered class through ``jax.jit``, ``jax.grad`` and ``jax.vmap``, and get the same class back.
- Write methods that return a new object instead of modifying ``self``.
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
# JAX only looks inside containers it knows. An instance of your own class is a **leaf**: `jax.tree.leaves`
# returns the object itself, and `jax.grad` and `jax.jit` refuse it. (`first_line` runs a call and prints the
# first line of the error it raises.)
#
# ```python
# >>> def first_line(call):
# ...     try:
# ...         call()
# ...     except Exception as error:
# ...         print(f"{type(error).__name__}: {str(error).splitlines()[0]}")
# >>> p = Polynomial(jnp.array([1.0, 2.0]))
# >>> jax.tree.leaves(p)
# [Polynomial([1. 2.], var='x')]
# >>> first_line(lambda: jax.grad(lambda q: q(1.0))(p))
# TypeError: Argument 'Polynomial([1. 2.], var='x')' of type <class '...Polynomial'> is not a valid JAX type.
# >>> first_line(lambda: jax.jit(lambda q: q(1.0))(p))
# TypeError: Error interpreting argument to <function ...> as an abstract array. The problematic value is of type <class '...Polynomial'> and was passed to the function at path q.
# ```
#
# Registering a class tells JAX how to take an instance apart and put it back together:
# `register_pytree_node(cls, flatten, unflatten)`, where `flatten(obj)` returns `(children, aux)` (children: a
# tuple of arrays or subtrees) and `unflatten(aux, children)` builds a new object. **Children** are what JAX
# transforms: they become tracers under `jit`, get gradients under `grad`, gain a batch axis under `vmap`.
# **Aux data** is everything else: names, flags, activation choices. Here is a quantity whose value is the
# child and whose unit is the aux data:
#
# ```python
# >>> class Quantity:
# ...     def __init__(self, value, unit):
# ...         self.value, self.unit = value, unit
# >>> jax.tree_util.register_pytree_node(
# ...     Quantity, lambda q: ((q.value,), q.unit), lambda unit, children: Quantity(children[0], unit))
# >>> jax.tree.leaves(Quantity(jnp.ones(2), "m"))
# [Array([1., 1.], dtype=float32)]
# >>> grad = jax.grad(lambda q: jnp.sum(q.value ** 2))(Quantity(jnp.array([1.0, 3.0]), "m"))
# >>> type(grad).__name__, grad.value, grad.unit
# ('Quantity', Array([2., 6.], dtype=float32), 'm')
# >>> jax.vmap(lambda q: jnp.sum(q.value))(Quantity(jnp.ones((3, 2)), "m"))
# Array([2., 2., 2.], dtype=float32)
# ```
#
# Aux data must be hashable and comparable with `==`: `jit` compares it on every call and traces again when it
# changes, while new children values of the same shape reuse the compiled program. Inside the trace the children
# are tracers and the aux data is the plain Python value:
#
# ```python
# >>> @jax.jit
# ... def total(q):
# ...     print("tracing for unit", q.unit, "- value is a tracer:", isinstance(q.value, jax.core.Tracer))
# ...     return jnp.sum(q.value)
# >>> _ = total(Quantity(jnp.ones(2), "m")); _ = total(Quantity(jnp.zeros(2), "m"))
# tracing for unit m - value is a tracer: True
# >>> _ = total(Quantity(jnp.ones(2), "km"))
# tracing for unit km - value is a tracer: True
# ```
#
# Arrays never belong in aux data: nothing is left to differentiate (`jax.grad` silently hands back the
# values themselves), and the second `jit` call fails when it compares the arrays.
#
# ```python
# >>> class Frozen:
# ...     def __init__(self, value):
# ...         self.value = value
# >>> jax.tree_util.register_pytree_node(Frozen, lambda f: ((), f.value), lambda value, _: Frozen(value))
# >>> jax.tree.leaves(Frozen(jnp.ones(2)))
# []
# >>> jax.grad(lambda f: jnp.sum(f.value ** 2))(Frozen(jnp.array([1.0, 3.0]))).value
# Array([1., 3.], dtype=float32)
# >>> double = jax.jit(lambda f: 2 * f.value)
# >>> double(Frozen(jnp.ones(2)))
# Array([2., 2.], dtype=float32)
# >>> first_line(lambda: double(Frozen(jnp.zeros(2))))
# ValueError: Exception raised while checking equality of metadata fields of pytree. Make sure that metadata fields are hashable and have simple equality semantics. (Note: arrays cannot be passed as metadata fields!)
# ```
#
# And strings never belong in the children: a `str` leaf breaks `jit` and `grad`.
#
# ```python
# >>> class Tagged:
# ...     def __init__(self, value, tag):
# ...         self.value, self.tag = value, tag
# >>> jax.tree_util.register_pytree_node(Tagged, lambda t: ((t.value, t.tag), None), lambda _, c: Tagged(*c))
# >>> jax.tree.leaves(Tagged(jnp.ones(2), "m"))
# [Array([1., 1.], dtype=float32), 'm']
# >>> first_line(lambda: jax.jit(lambda t: t.value)(Tagged(jnp.ones(2), "m")))
# TypeError: Error interpreting argument to <function ...> as an abstract array. The problematic value is of type <class 'str'> and was passed to the function at path t[1].
# >>> first_line(lambda: jax.grad(lambda t: jnp.sum(t.value))(Tagged(jnp.ones(2), "m")))
# TypeError: Argument 'm' of type <class 'str'> is not a valid JAX type.
# ```
#
# ### The notebook trap
#
# Registering the same class twice raises `ValueError`, so a cell that only calls `register_pytree_node` on a
# class breaks the second time you run it:
#
# ```python
# >>> first_line(lambda: jax.tree_util.register_pytree_node(
# ...     Quantity, lambda q: ((q.value,), q.unit), lambda unit, children: Quantity(children[0], unit)))
# ValueError: Duplicate custom PyTreeDef type registration for <class '...Quantity'>.
# ```
#
# The functions below therefore **register the class they are given** (or build a brand-new class per call):
# define a class and register it in the same cell, for example with a decorator, and re-running stays safe.

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
        cls: ``Polynomial`` or a subclass of it (possibly a subclass of another registered subclass), not
            registered yet. Register exactly this class (and nothing else), so that calling
            ``register_polynomial`` on a fresh class is always safe.

    Returns:
        ``cls`` itself (the same object), so that the function also works as a class decorator. After the
        call, for ``p = cls(coeffs, var)`` with 1-D float32 ``coeffs`` and any str ``var``:

        - ``jax.tree.leaves(p) == [p.coeffs]``: the coeffs are the only child;
        - ``var`` is aux data: polynomials with equal ``var`` have equal treedefs and a different ``var``
          gives a different treedef, so a jitted function traces once for polynomials that differ only in
          their coeffs values and again for a new ``var``;
        - every rebuilt object (from ``jax.tree.unflatten``, ``jax.tree.map``, ``jax.jit``, ``jax.grad``,
          ``jax.vmap``) is an instance of ``cls`` itself, not of the base ``Polynomial``, with the same
          ``var``: ``jax.grad(lambda q: q(x))(p)`` is a ``cls`` whose ``coeffs`` hold the gradient ``x**i``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## The decorator style: `register_pytree_node_class`
#
# The same two functions can live on the class: a method `tree_flatten(self)` returning `(children, aux)` and a
# classmethod `tree_unflatten(cls, aux, children)`. Decorating the class with
# `@jax.tree_util.register_pytree_node_class` registers it and returns the class unchanged:
#
# ```python
# >>> @jax.tree_util.register_pytree_node_class
# ... class Pair:
# ...     def __init__(self, first, second):
# ...         self.first, self.second = first, second
# ...     def tree_flatten(self):
# ...         return (self.first, self.second), None
# ...     @classmethod
# ...     def tree_unflatten(cls, aux, children):
# ...         return cls(*children)
# >>> shifted = jax.tree.map(lambda x: x + 1, Pair(jnp.zeros(2), jnp.ones(2)))
# >>> type(shifted).__name__, shifted.second
# ('Pair', Array([2., 2.], dtype=float32))
# ```
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
        A **new** subclass of ``Dense`` on every call (calling ``make_dense_class()`` again gives another
        class and must not raise), registered with ``@jax.tree_util.register_pytree_node_class``: it defines
        ``tree_flatten(self)``, returning ``(children, aux)`` with the children ``(w, b)`` in this order, and a
        classmethod ``tree_unflatten(cls, aux, children)`` that rebuilds an instance of ``cls`` with the same
        activation. ``activation`` (a str) is the aux data: layers with the same activation have equal
        treedefs and a different activation gives a different one, so a jitted function traces once for layers
        that differ only in ``w``/``b`` values and again for a new activation. ``jax.jit``, ``jax.grad`` with
        respect to a layer, ``jax.tree.map`` and ``jax.vmap`` over a layer whose ``w`` and ``b`` have an extra
        leading axis all work and give back an instance of the class with the same activation.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Readable key paths: `register_pytree_with_keys`
#
# With `register_pytree_node`, JAX only knows the children by position, and their key paths print as flat
# indices. `register_pytree_with_keys(cls, flatten_with_keys, unflatten)` takes a flatten that returns
# `((key, child), ...)` pairs (and the aux data); a `jax.tree_util.GetAttrKey("mean")` key prints as `.mean`,
# like an attribute. `jax.tree.flatten_with_path` reports these keys and `jax.tree_util.keystr` prints them:
#
# ```python
# >>> [jax.tree_util.keystr(path) for path, _ in jax.tree.flatten_with_path([Quantity(jnp.ones(2), "m")])[0]]
# ['[0][<flat index 0>]']
# >>> jax.tree_util.keystr((jax.tree_util.DictKey("q"), GetAttrKey("mean")))
# "['q'].mean"
# ```

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
        ``cls`` itself. After the call the children of ``g`` are ``g.mean`` then ``g.log_std``
        (``jax.tree.leaves(g) == [g.mean, g.log_std]``), with the key paths ``GetAttrKey("mean")`` and
        ``GetAttrKey("log_std")``, so that
        ``[jax.tree_util.keystr(p) for p, _ in jax.tree.flatten_with_path({"q": g})[0]]`` is
        ``["['q'].mean", "['q'].log_std"]``. ``g.name`` is aux data (a different name gives a different
        treedef), and every rebuilt object (``jax.tree.map_with_path``, ``jax.jit``, ``jax.grad``) is an
        instance of ``cls`` with the same name.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Dataclasses: `register_dataclass` and static fields
#
# For a `@dataclasses.dataclass`, `@jax.tree_util.register_dataclass` does the flattening for you: every field
# is a child **unless** it is marked static with `dataclasses.field(metadata=dict(static=True))` (or
# `jax.tree.static()`); static fields are aux data. An unmarked `float` silently becomes a traced leaf, and an
# unmarked `str` breaks `jit`:
#
# ```python
# >>> @jax.tree_util.register_dataclass
# ... @dataclasses.dataclass
# ... class Config:
# ...     scale: jax.Array
# ...     rate: float
# ...     name: str = dataclasses.field(metadata=dict(static=True))
# ...     tag: str = jax.tree.static()
# >>> config = Config(jnp.ones(2), 0.5, "adam", "v1")
# >>> jax.tree.leaves(config)
# [Array([1., 1.], dtype=float32), 0.5]
# >>> [jax.tree_util.keystr(path) for path, _ in jax.tree.flatten_with_path(config)[0]]
# ['.scale', '.rate']
# >>> jax.jit(lambda c: c)(config).rate
# Array(0.5, dtype=float32, weak_type=True)
# >>> @jax.tree_util.register_dataclass
# ... @dataclasses.dataclass
# ... class Loose:
# ...     scale: jax.Array
# ...     name: str
# >>> first_line(lambda: jax.jit(lambda c: c.scale)(Loose(jnp.ones(2), "adam")))
# TypeError: Error interpreting argument to <function ...> as an abstract array. The problematic value is of type <class 'str'> and was passed to the function at path c.name.
# ```
#
# Inside `jax.jit`, a method works on a fresh object rebuilt from tracers, so a method that assigns to `self`
# *seems* to work there and only misbehaves when called eagerly:
#
# ```python
# >>> @jax.tree_util.register_dataclass
# ... @dataclasses.dataclass
# ... class Counter:
# ...     value: jax.Array
# ...     def bump(self):
# ...         self.value = self.value + 1
# ...         return self
# >>> counter = Counter(jnp.zeros(()))
# >>> jax.jit(lambda c: c.bump())(counter).value, counter.value
# (Array(1., dtype=float32), Array(0., dtype=float32))
# >>> counter.bump().value, counter.value
# (Array(1., dtype=float32), Array(1., dtype=float32))
# ```
#
# Return a new object instead: `dataclasses.replace(obj, field=value)` copies one with some fields changed.

# %%
def make_train_state_class() -> type:
    """Task custom_pytrees.make_train_state_class: build and return a new dataclass pytree for training state.

    Returns:
        A **new** class on every call (calling it again gives another class and must not raise): a
        ``@dataclasses.dataclass`` registered with ``jax.tree_util.register_dataclass``, with the fields
        ``params`` (any pytree of float32 arrays) and ``step`` (an int32 scalar array), which are the
        children, and ``learning_rate`` (a Python float) and ``optimizer`` (a str, such as ``"sgd"``), which are
        **static** fields (aux data). It is constructed with keywords:
        ``cls(params=..., step=..., learning_rate=..., optimizer=...)``.

        - ``jax.tree.leaves(state)`` is the leaves of ``params`` followed by ``step``; states with equal
          ``learning_rate`` and ``optimizer`` have equal treedefs, and a change of either changes the treedef,
          so a jitted function traces once for states that differ only in ``params``/``step`` values and
          again for a new ``learning_rate`` or ``optimizer``. Through ``jax.jit`` and ``jax.tree.map``,
          ``learning_rate`` stays a Python float and ``optimizer`` a str.
        - A method ``apply_gradients(self, grads)`` (``grads``: a pytree shaped like ``params``) returns a
          **new** instance with ``params - learning_rate * grads`` (leaf by leaf), ``step + 1`` (int32) and the
          same static fields. It must not modify ``self``: called eagerly twice on one state, it gives two
          independent results and leaves the state as it was. It works eagerly, under ``jax.jit`` and under
          ``jax.vmap``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## `unflatten` must not validate
#
# JAX sometimes unflattens with things that are not your arrays: `jax.tree.map` with a function that returns
# `None` or booleans, `jax.eval_shape` (shape descriptions), `jax.jacobian` (its result nests your class inside
# your class):
#
# ```python
# >>> jax.tree.map(lambda x: None, Quantity(jnp.ones(2), "m")).value is None
# True
# >>> jax.eval_shape(lambda q: q, Quantity(jnp.ones(2), "m")).value
# ShapeDtypeStruct(shape=(2,), dtype=float32)
# >>> type(jax.jacobian(lambda q: q)(Quantity(jnp.ones(2), "m")).value).__name__
# 'Quantity'
# ```
#
# An `unflatten` that calls a converting, validating `__init__` breaks these, even though `jax.jit`, `jax.grad`
# and `jax.vmap` still work:
#
# ```python
# >>> class Strict(Interval):
# ...     pass
# >>> jax.tree_util.register_pytree_node(Strict, lambda t: ((t.lo, t.hi), None), lambda _, c: Strict(*c))
# >>> box = Strict(jnp.zeros(2), jnp.array([0.2, 0.8]))
# >>> jax.jit(lambda t: t.width())(box)
# Array([0.2, 0.8], dtype=float32)
# >>> jax.grad(lambda t: jnp.sum(t.width()))(box).lo
# Array([-1., -1.], dtype=float32)
# >>> jax.vmap(lambda t: t.width())(Strict(jnp.zeros((3, 2)), jnp.ones((3, 2))))
# Array([[1., 1.],
#        [1., 1.],
#        [1., 1.]], dtype=float32)
# >>> first_line(lambda: jax.tree.map(lambda x: None, box))
# ValueError: None is not a valid value for jnp.array
# >>> first_line(lambda: jax.jacobian(lambda t: t.width())(box))
# ValueError: None is not a valid value for jnp.array
# >>> first_line(lambda: jax.eval_shape(lambda t: t, box))
# TypeError: float() argument must be a string or a real number, not 'ShapeDtypeStruct'
# >>> jax.tree.map(lambda x: x > 0.5, box).hi
# Array([0., 1.], dtype=float32)
# ```
#
# The last one raises nothing and is still wrong: `__init__` turned the booleans back into floats. Create the
# instance with `object.__new__(cls)` and set the attributes directly.

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
    """Task custom_pytrees.register_interval: register ``cls`` so that JAX can rebuild it from any values.

    Args:
        cls: ``Interval`` or a subclass of it, not registered yet. Register exactly this class.

    Returns:
        ``cls`` itself. Children are ``lo`` then ``hi``; there is no aux data (use ``None``). Unflattening
        must return an instance of ``cls`` whose ``lo`` and ``hi`` are exactly the children it received: it
        must not call ``__init__`` (of ``cls`` or of ``Interval``), and must not convert or check the
        children. Then all of these work and return a ``cls``: ``jax.tree.map(lambda x: None, t)`` (``None``
        children), ``jax.tree.map(lambda x: x > 0, t)`` (boolean children, which stay boolean),
        ``jax.eval_shape(lambda u: u, t)`` (``ShapeDtypeStruct`` children), ``jax.jacobian(lambda u: u)(t)``
        (a ``cls`` whose children are ``cls`` instances) and ``jax.jacobian(lambda u: u.width() * u.center())(t)``,
        and so do ``jax.jit``, ``jax.grad`` and ``jax.vmap``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Tuples as leaves: `is_leaf`
#
# Sometimes a tuple is data, not a container: a `(mean, std)` pair describing one distribution. `jax.tree.map`
# still descends into it. `is_leaf=lambda x: isinstance(x, tuple)` stops the descent, and the mapped function
# receives whole pairs, one from each tree.
#
# ```python
# >>> pairs = {"z": (jnp.zeros(2), jnp.ones(3))}
# >>> jax.tree.map(jnp.shape, pairs)
# {'z': ((2,), (3,))}
# >>> jax.tree.map(lambda pair: len(pair), pairs, is_leaf=lambda node: isinstance(node, tuple))
# {'z': 2}
# ```

# %%
def pairwise_kl(q, p):
    """Task custom_pytrees.pairwise_kl: KL divergence between matching Gaussians of two trees.

    Args:
        q, p: pytrees with the same structure whose containers are dicts and lists (possibly empty), and whose
            "leaves" are ``(mean, std)`` tuples of float32 arrays (``mean`` and ``std`` of one shape, possibly
            0-d, ``std > 0``). ``q`` and ``p`` may also each be a single pair.

    Returns:
        A tree with the dicts and lists of ``q`` in which each pair is replaced by the float32 scalar (a 0-d
        array) ``KL(q || p) = sum(log(std_p / std_q) + (std_q**2 + (mean_q - mean_p)**2) / (2 * std_p**2) - 1/2)``
        (the sum runs over the pair's array elements); for a single pair, that scalar. Must work under
        ``jax.jit``.
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
