# Generated from solutions/backprop.py (sha256 922d2cf8c21b) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Backpropagation from scratch: a scalar autodiff engine, then an MLP's backward pass derived layer by layer.

Learning goals
--------------
- Build reverse-mode autodiff on scalars: every operation records its inputs, its local derivatives
  flow backwards by the chain rule, and gradients *accumulate* when a value is used more than once.
- Order the backward pass topologically, so a node passes its gradient on only after every node that
  uses it has handed its gradient down.
- Compute ``log_softmax`` with the max shift (logsumexp) so that logits of +-1000 give no ``inf``/``nan``,
  and the mean cross-entropy from integer labels.
- Initialise ReLU layers with He scaling (std ``sqrt(2 / fan_in)``), one PRNG subkey per layer.
- Derive the backward pass of each layer yourself (ReLU, a dense layer, softmax cross-entropy) as a
  vector-Jacobian product, check it against ``jax.vjp``, and chain the pieces into an MLP's backward pass.
- Turn on 64-bit mode with ``jax.enable_x64`` when a gradient check needs float64.
- Use ``jax.vmap`` to get per-example gradients, then train the MLP with a jitted SGD step.

Out of scope: optimisers beyond plain SGD (Optax), Flax modules, minibatching and data loaders.
"""

# %%
import math

import jax
import jax.numpy as jnp
import numpy as np

# %% [markdown]
# ## Part 1: a scalar autodiff engine
#
# Reverse-mode autodiff fits in a page when every number is a Python object that remembers how it was made.
# A `Value` holds `data` (the number), `grad` (d root / d this value, filled in by the backward pass),
# `children` (the Values it was computed from, in order, **duplicates kept**: `a * a` has children `(a, a)`)
# and `op`, the name of the operation that made it.
#
# The class below is given: it does the forward pass and records the graph. You write the two functions
# that make it learn: `propagate(node)` applies the chain rule at one node, and `backward(root)` calls it
# on every node in the right order. `v.backward()` simply calls `backward(v)`.

# %%
class Value:
    """A scalar that remembers how it was computed (forward pass and graph recording only)."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)  # the inputs of `op`, in order; (a, a) for a * a
        self.op = op  # "" for a leaf, else one of "+", "*", "**", "tanh", "exp", "log", "relu"
        self.exponent = None  # the constant k of `x ** k` (only for op "**")

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}, op={self.op!r})"

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = Value._lift(other)
        return Value(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        other = Value._lift(other)
        return Value(self.data * other.data, (self, other), "*")

    def __pow__(self, k):
        if not isinstance(k, (int, float)):
            raise TypeError("only constant int or float exponents are supported")
        out = Value(self.data ** k, (self,), "**")
        out.exponent = k
        return out

    def tanh(self):
        return Value(math.tanh(self.data), (self,), "tanh")

    def exp(self):
        return Value(math.exp(self.data), (self,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), "log")

    def relu(self):
        return Value(max(self.data, 0.0), (self,), "relu")

    # Everything else is built from the operations above.
    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Value._lift(other))

    def __rsub__(self, other):
        return Value._lift(other) + (-self)

    def __truediv__(self, other):
        return self * Value._lift(other) ** -1

    def __rtruediv__(self, other):
        return Value._lift(other) * self ** -1

    def backward(self):
        """Fill in ``.grad`` of every Value this one depends on: calls the task function ``backward``."""
        backward(self)


# %% [markdown]
# Each operation knows its *local* derivative: for `out = a * b`, `d out / d a = b`. The chain rule says
# `d root / d a = (d root / d out) * (d out / d a)`. When `a` feeds several nodes (or the same node twice,
# as in `a * a`), each use contributes one such term, and `a`'s gradient is their **sum**.

# %%
def propagate(node: Value) -> None:
    """Task backprop.propagate: apply the chain rule at one node of the graph.

    Args:
        node: a ``Value`` whose ``node.grad`` (d root / d node) is final. Its ``op`` is one of ``""`` (a leaf),
            ``"+"``, ``"*"`` (two children), ``"**"`` (one child; the constant exponent ``node.exponent`` is any
            int or float), ``"tanh"``, ``"exp"``, ``"log"``, ``"relu"`` (one child).

    Effect:
        For every child ``c`` in ``node.children`` (in order, duplicates included: ``a * a`` has children
        ``(a, a)``), **add** ``node.grad * (d node / d c)`` to ``c.grad``. A child may already hold gradient from
        other nodes: add to it, never overwrite it. A leaf has no children: nothing changes. ``node.grad`` and
        every ``.data`` stay as they are. The derivative of ``relu`` is 1 where its input is > 0 and 0 where its
        input is <= 0 (0 included). Returns None.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `propagate(node)` is only correct once `node.grad` is final, i.e. after **every** node that uses `node`
# has propagated. A reverse topological order guarantees that: list the nodes so that each comes after its
# children, then walk the list backwards starting from the root, whose gradient with respect to itself is 1.

# %%
def backward(root: Value) -> None:
    """Task backprop.backward: run the backward pass from ``root``.

    Args:
        root: the output ``Value`` of an expression (a leaf on its own is allowed). Every ``grad`` in the graph
            starts at 0.

    Effect:
        Sets ``root.grad = 1.0``, then calls ``propagate(node)`` once for every node reachable from ``root``, in
        a reverse topological order: a node only after every node that uses it. Values are shared (used by
        several nodes, or twice by one node): each is propagated once. Afterwards every node's ``.grad`` is
        d root / d node (1.0 for the root). Returns None.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `jax.grad` does the same thing on arrays: it records the operations and applies each one's local
# derivative in reverse order. Your engine and JAX agree:
#
# ```python
# >>> a, b = Value(0.5), Value(-1.5)
# >>> root = (a * b).tanh() + a
# >>> root.backward()
# >>> round(a.grad, 5), round(b.grad, 5)
# (0.10512, 0.29829)
# >>> da, db = jax.grad(lambda a, b: jnp.tanh(a * b) + a, argnums=(0, 1))(0.5, -1.5)
# >>> round(float(da), 5), round(float(db), 5)
# (0.10512, 0.29829)
# ```
#
# ## Part 2: a numerically stable softmax cross-entropy
#
# In float32, `exp` overflows to `inf` a little above 88 and underflows to 0 a little below -87, so
# `log(sum(exp(z)))` is `inf` for large logits, and `log(softmax(z))` is `-inf` for an entry about 88 or more
# below its row's maximum:
#
# ```python
# >>> jnp.exp(jnp.float32(88.0)), jnp.exp(jnp.float32(89.0))
# (Array(1.6516363e+38, dtype=float32), Array(inf, dtype=float32))
# >>> z = jnp.array([1000.0, 1000.0])
# >>> jnp.log(jnp.sum(jnp.exp(z)))
# Array(inf, dtype=float32)
# >>> jnp.log(jax.nn.softmax(jnp.array([0.0, -90.0])))
# Array([  0., -inf], dtype=float32)
# >>> jax.scipy.special.logsumexp(z)
# Array(1000.6932, dtype=float32)
# ```
#
# Since `log_softmax(z) = log_softmax(z - c)` for any constant `c` per row, subtract the row maximum first:
# `logsumexp(z) = m + log(sum(exp(z - m)))` with `m = max(z)`, where every exponent is `<= 0`. Near 1000,
# float32 numbers are `6.1e-05` apart, so correct answers computed in different orders differ by about that
# much there:
#
# ```python
# >>> float(jnp.spacing(jnp.float32(1000.0)))
# 6.103515625e-05
# ```

# %%
def log_softmax(logits: jax.Array) -> jax.Array:
    """Task backprop.log_softmax: ``logits - logsumexp(logits)`` along the last axis, computed stably.

    Args:
        logits: a float array of shape ``(..., k)`` (one row, a batch of rows, or more leading axes; ``k = 1`` is
            allowed). Rows may be offset by +-1000, and entries of one row may lie hundreds apart.

    Returns:
        An array of the same shape and dtype whose entries are ``log(softmax(logits))`` along the last axis:
        finite for any finite input, as accurate as float32 allows (about 1e-4 for rows near +-1000), and
        unchanged when a constant is added to a whole row. A single class (``k = 1``) gives 0. Must work under
        ``jax.jit``. Must not call ``jax.nn.log_softmax`` or ``jax.nn.softmax`` (an in-process rule of the
        checks); ``jax.scipy.special.logsumexp`` is allowed.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Task backprop.cross_entropy: mean softmax cross-entropy of integer labels.

    Args:
        logits: float array of shape ``(n, k)``, ``n >= 1``; rows may be offset by +-1000.
        labels: int array of shape ``(n,)`` with values in ``[0, k)`` (NumPy or JAX, int32 or int64).

    Returns:
        A 0-d array of the logits' dtype: ``-mean_i log_softmax(logits)[i, labels[i]]``, the **mean** over the
        batch (not the sum). Finite for logits offset by +-1000; must work under ``jax.jit``. You may use your
        ``log_softmax``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 3: a 2-layer ReLU MLP
#
# ### He initialisation
#
# With weights of standard deviation 1, each layer multiplies the activations' scale by about
# `sqrt(fan_in)`: a few layers and the logits are in the thousands. He initialisation draws
# `W ~ N(0, 2 / fan_in)`, which keeps the scale of ReLU activations steady from layer to layer
# (the 2 compensates for ReLU zeroing half the inputs). Biases start at zero. Here are the root-mean-square
# activations of five 256-wide ReLU layers:
#
# ```python
# >>> def rms_per_layer(scale):
# ...     h, out = jax.random.normal(jax.random.key(0), (1000, 256)), []
# ...     for layer in range(5):
# ...         h = jax.nn.relu(h @ (scale * jax.random.normal(jax.random.key(layer + 1), (256, 256))))
# ...         out.append(float(jnp.sqrt(jnp.mean(h ** 2))))
# ...     return out
# >>> [f"{v:.3g}" for v in rms_per_layer(1.0)]
# ['11.3', '129', '1.45e+03', '1.77e+04', '2.17e+05']
# >>> [f"{v:.2f}" for v in rms_per_layer(math.sqrt(2 / 256))]
# ['1.00', '1.01', '1.00', '1.08', '1.17']
# ```
#
# A key is a value, not a generator: the same key gives the same numbers every time, whatever the shape asked
# for, so each layer needs its **own** subkey.
#
# ```python
# >>> key = jax.random.key(42)
# >>> first, second = jax.random.normal(key, (2, 3)), jax.random.normal(key, (6,))
# >>> bool(jnp.all(first.ravel() == second))
# True
# ```

# %%
def he_init(key: jax.Array, sizes: list[int]) -> list[dict]:
    """Task backprop.he_init: He-initialised parameters of an MLP with layer widths ``sizes``.

    Args:
        key: a PRNG key (``jax.random.key(seed)``). Use each key at most once: split it.
        sizes: ``[n_in, n_hidden..., n_out]``, at least two positive ints (any number of layers).

    Returns:
        A list with one dict per layer ``l`` (``len(sizes) - 1`` of them): ``{"W": float32 array of shape
        (sizes[l], sizes[l + 1]), "b": float32 zeros of shape (sizes[l + 1],)}``. The entries of each ``W``
        are drawn from a normal distribution with mean 0 and standard deviation ``sqrt(2 / sizes[l])`` (fan-in);
        a truncated normal rescaled to that standard deviation, as in ``jax.nn.initializers.he_normal``, is fine
        too. Every layer is drawn from its own subkey, so no two layers share their random numbers. All
        randomness comes from ``key``: the same key gives the same parameters, another key other parameters.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### Forward pass with a cache
#
# For a batch `X` of shape `(n, d)`: `Z1 = X W1 + b1`, `A1 = relu(Z1)`, `Z2 = A1 W2 + b2` (the logits).
# The backward pass needs these intermediate arrays, so the forward pass returns them in a `cache`.

# %%
def mlp_forward(params: list[dict], X: jax.Array) -> tuple[jax.Array, dict]:
    """Task backprop.mlp_forward: forward pass of a 2-layer ReLU MLP, keeping the activations.

    Args:
        params: ``[{"W": (d, h), "b": (h,)}, {"W": (h, k), "b": (k,)}]`` as made by ``he_init``.
        X: float array of shape ``(n, d)``, ``n >= 1``.

    Returns:
        ``(logits, cache)``: ``logits = Z2`` of shape ``(n, k)`` and ``cache = {"X": X, "Z1": X @ W1 + b1,
        "A1": relu(Z1), "Z2": A1 @ W2 + b2}`` (exactly these four keys), all of X's dtype. No ReLU after the
        last layer. Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 4: the backward pass, one layer at a time
#
# Reverse mode works on arrays exactly as on your `Value`s, one *layer* at a time instead of one scalar at a
# time. A layer's backward pass answers one question: given `g`, the gradient of the loss with respect to the
# layer's **output**, what is the gradient with respect to each of its **inputs**? That is a
# vector-Jacobian product (VJP). Two rules get you through every layer:
#
# 1. Every gradient has the shape of the thing it differentiates: `dL/dW` is shaped like `W`. The shapes
#    alone often tell you which side a transpose goes on.
# 2. An input entry that several output entries depend on collects one term from each of them, summed:
#    the accumulation of Part 1, done in bulk by a matrix product or a sum over an axis.
#
# Derive each rule on paper for a tiny case (a batch of 2, two inputs, two outputs), write it, and compare it
# with `jax.vjp`, which computes the same product by automatic differentiation. `jax.vjp(f, *inputs)` returns
# `f`'s output and a function that maps `g` to one gradient per input:
#
# ```python
# >>> x = jnp.array([0.0, 1.0, 2.0])
# >>> out, vjp_fn = jax.vjp(jnp.sin, x)
# >>> vjp_fn(jnp.array([1.0, 10.0, 100.0]))        # one gradient per input: g * cos(x)
# (Array([  1.      ,   5.403023, -41.614685], dtype=float32),)
# >>> out, vjp_fn = jax.vjp(lambda v: v.sum(axis=0), jnp.ones((2, 3)))
# >>> vjp_fn(jnp.array([1.0, 2.0, 3.0]))[0]        # every row of the input gets g: shaped like the input
# Array([[1., 2., 3.],
#        [1., 2., 3.]], dtype=float32)
# ```
#
# Your backward functions must not call `jax.vjp`, `jax.grad` or any other automatic differentiation (the
# hidden checks disable it while they run: an in-process rule); use it only to check yourself.
#
# ### ReLU
#
# `A = relu(Z)` acts entry by entry, so each entry of `dL/dZ` depends only on the same entry of `dL/dA` and
# of `Z`.

# %%
def relu_backward(dA: jax.Array, Z: jax.Array) -> jax.Array:
    """Task backprop.relu_backward: the backward pass of ``A = relu(Z)``.

    Args:
        dA: ``dL/dA``, a float array of any shape.
        Z: the input of the ReLU (its pre-activation), the same shape as ``dA``; it may contain exact zeros.

    Returns:
        ``dL/dZ``: same shape and dtype as ``dA`` (float32 or float64). The ReLU's derivative is 1 where ``Z > 0``
        and 0 where ``Z <= 0`` (0 included). Must work under ``jax.jit``; must not use automatic
        differentiation (``jax.grad``, ``jax.vjp``, ...: an in-process rule of the checks).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### A dense layer
#
# `Z = A_prev @ W + b` with `A_prev` of shape `(n, m)` (a batch of `n` inputs), `W` of shape `(m, p)` and `b`
# of shape `(p,)`: `b` is added to every row. Given `dZ = dL/dZ` of shape `(n, p)`, find the three gradients.
# Write `Z[i, j]` as a sum over `A_prev[i, r] * W[r, j]` and ask, for each input entry, which entries of `Z`
# it touches.

# %%
def linear_backward(dZ: jax.Array, A_prev: jax.Array, W: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Task backprop.linear_backward: the backward pass of the dense layer ``Z = A_prev @ W + b``.

    Args:
        dZ: ``dL/dZ``, a float array of shape ``(n, p)``, ``n >= 1``.
        A_prev: the layer's input, shape ``(n, m)``.
        W: the layer's weights, shape ``(m, p)``. (``b`` itself does not enter its gradients.)

    Returns:
        ``(dA_prev, dW, db)``, a tuple (or list) of three arrays: ``dL/dA_prev`` of shape ``(n, m)``, ``dL/dW`` of
        shape ``(m, p)`` and ``dL/db`` of shape ``(p,)``, all of dZ's dtype (float32 or float64). ``dZ`` already holds every factor of
        the loss (a mean's ``1/n`` included): add no factor of your own. Must work under ``jax.jit``; must not
        use automatic differentiation (an in-process rule of the checks).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### Softmax cross-entropy
#
# The loss is `L = mean_i CE_i` with `CE_i = -log_softmax(Z2[i])[y_i]`. Work out `d CE_i / d Z2[i, j]` for
# `j = y_i` and for `j != y_i` (it is neat), then remember the mean. The result must be finite for logits
# offset by +-1000, like your `log_softmax`.

# %%
def cross_entropy_backward(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Task backprop.cross_entropy_backward: the gradient of ``cross_entropy(logits, labels)`` w.r.t. the logits.

    Args:
        logits: float array of shape ``(n, k)``, ``n >= 1``, float32 or float64; rows may be offset by +-1000.
        labels: int array of shape ``(n,)`` with values in ``[0, k)`` (NumPy or JAX).

    Returns:
        ``dL/dlogits`` for ``L = cross_entropy(logits, labels)`` (the **mean** over the batch): shape ``(n, k)``,
        the logits' dtype, finite for logits offset by +-1000. Must work under ``jax.jit``; must not use
        automatic differentiation (an in-process rule of the checks). You may use your ``log_softmax``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### Chaining the layers
#
# The MLP's backward pass calls the layers' backward functions in the reverse order of the forward pass, each
# fed with the gradient the previous one returned and with what the forward pass cached.
#
# ### Checking gradients in float64
#
# A gradient you derived yourself can also be checked without any autodiff, with central finite differences
# `(f(x + eps) - f(x - eps)) / (2 eps)`. In float32 that check is too noisy to trust: rounding errors of size
# `1e-7 * |f|` get divided by `eps`. JAX computes in float32 by default, and asking for float64 quietly gives
# float32 (with a warning). Turn 64-bit mode on with the context manager `jax.enable_x64(True)` (or, for a
# whole program, `jax.config.update("jax_enable_x64", True)` before creating any array):
#
# ```python
# >>> import warnings
# >>> with warnings.catch_warnings(record=True) as caught:   # 64-bit mode off
# ...     warnings.simplefilter("always")
# ...     print(jnp.zeros(2, jnp.float64).dtype, caught[0].category.__name__)
# float32 UserWarning
# >>> with jax.enable_x64(True):
# ...     print(jnp.zeros(2, jnp.float64).dtype, jnp.array(1.0).dtype)
# float64 float64
# >>> jax.config.update("jax_enable_x64", True); print(jnp.array(1.0).dtype)
# float64
# >>> jax.config.update("jax_enable_x64", False); print(jnp.array(1.0).dtype)
# float32
# >>> def central_difference(f, x, eps):
# ...     return (f(x + eps) - f(x - eps)) / (2 * eps)
# >>> f = lambda x: jnp.tanh(x) ** 2
# >>> error32 = abs(float(central_difference(f, jnp.float32(0.7), 1e-4) - jax.grad(f)(jnp.float32(0.7))))
# >>> with jax.enable_x64(True):
# ...     error64 = abs(float(central_difference(f, jnp.float64(0.7), 1e-6) - jax.grad(f)(jnp.float64(0.7))))
# >>> error32 > 1e-4, error64 < 1e-8
# (True, True)
# ```
#
# Your backward functions must therefore work in float64 too: keep the dtype you are given (no hard-coded
# float32).

# %%
def mlp_backward(params: list[dict], cache: dict, labels: jax.Array) -> list[dict]:
    """Task backprop.mlp_backward: gradients of the mean cross-entropy of the 2-layer MLP, by hand.

    Args:
        params: ``[{"W": (d, h), "b": (h,)}, {"W": (h, k), "b": (k,)}]``.
        cache: ``{"X", "Z1", "A1", "Z2"}`` from ``mlp_forward(params, X)``.
        labels: int array of shape ``(n,)``, ``n >= 1``.

    Returns:
        A list of two dicts shaped exactly like ``params`` (``"W"`` and ``"b"`` in each): the gradients of
        ``cross_entropy(Z2, labels)`` (the mean over the batch) with respect to every parameter, of the inputs'
        dtype: float32 in, float32 out; float64 in (64-bit mode on), float64 out. You may chain your
        ``cross_entropy_backward``, ``linear_backward`` and ``relu_backward``. Must work under ``jax.jit``; must
        not use automatic differentiation (``jax.grad``, ``jax.vjp``, ``jax.jacobian``, ...: an in-process rule
        of the checks).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 5: per-example gradients with `vmap`
#
# The batch gradient is the mean of the per-example gradients. With `jax.vmap` you get all of them at once
# without a Python loop: write the gradient for **one** example (a batch of size 1) as a function of
# `(params, x, label)`, and map it over the rows of `X` and `labels` while sharing the parameters. `in_axes`
# says which axis of each argument to map over; `None` means "do not map: pass the same value to every call".
# Per-example gradients are what differential privacy clips and what gradient-noise diagnostics measure.
#
# ```python
# >>> jax.vmap(lambda w, x: w * x, in_axes=(None, 0))(2.0, jnp.arange(3.0))
# Array([0., 2., 4.], dtype=float32)
# ```

# %%
def per_example_grads(params: list[dict], X: jax.Array, labels: jax.Array) -> list[dict]:
    """Task backprop.per_example_grads: the gradient of each example's own loss, all at once.

    Args:
        params: the 2-layer MLP parameters (see ``mlp_forward``).
        X: float array ``(n, d)``, ``n >= 1``; labels: int array ``(n,)``.

    Returns:
        A list of two dicts like ``params`` whose leaves have an extra leading axis of size ``n``: entry ``i`` is
        the gradient of ``cross_entropy(logits of X[i:i+1], labels[i:i+1])``, example ``i``'s own loss. Their mean
        over axis 0 is the batch gradient. Use ``jax.vmap``: no Python loop over examples (the traced program
        must not grow with ``n``). You may use your ``mlp_forward``/``mlp_backward``, or ``jax.grad``, inside.
        Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 6: training on the 8x8 digits
#
# scikit-learn ships 1797 handwritten digits as 8x8 images with pixel values 0..16, no download needed.
# `load_digits_split` (given) returns them as raw images with a fixed train/test split. Networks train
# badly on inputs of size 16: scale the pixels to [0, 1] first.
#
# ```python
# >>> from sklearn.datasets import load_digits
# >>> digits = load_digits()
# >>> digits.images.shape, float(digits.images.min()), float(digits.images.max())
# ((1797, 8, 8), 0.0, 16.0)
# ```

# %%
def load_digits_split():
    """The 8x8 digits with a fixed split: ``(train_images, train_targets, test_images, test_targets)``.

    Images are float64 ``(n, 8, 8)`` with values 0..16, targets int ``(n,)``; 1437 train and 360 test images.
    """
    from sklearn.datasets import load_digits  # imported here: importing this module stays cheap

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    train, test = order[:1437], order[1437:]
    return digits.images[train], digits.target[train], digits.images[test], digits.target[test]


def prepare_digits(images, targets) -> tuple[jax.Array, jax.Array]:
    """Task backprop.prepare_digits: turn raw digit images into network inputs.

    Args:
        images: NumPy array ``(n, 8, 8)`` of pixel values 0..16 (float64 or int, as scikit-learn gives them).
            Do not modify it.
        targets: NumPy int array ``(n,)`` of digit labels 0..9.

    Returns:
        ``(X, y)``: ``X`` a float32 JAX array ``(n, 64)``, each image flattened row by row (row 0's 8 pixels,
        then row 1's, ...), with pixels scaled to [0, 1] by dividing by 16, the digits' maximum (not 255);
        ``y`` an int32 JAX array ``(n,)``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### One SGD step
#
# A step computes the loss and every gradient at the **current** parameters, then moves each parameter
# against its gradient: `p - lr * dp`. If you update `W2` before the first layer's gradient has used it, that
# gradient uses the wrong weights; computing all gradients first, then updating, avoids that.

# %%
def sgd_step(params: list[dict], X: jax.Array, labels: jax.Array, lr: float) -> tuple[list[dict], jax.Array]:
    """Task backprop.sgd_step: one step of gradient descent on the mean cross-entropy.

    Args:
        params: the 2-layer MLP parameters; X: ``(n, d)`` float32; labels: ``(n,)`` int; lr: the step size
            (a Python float, or a traced scalar under ``jax.jit``).

    Returns:
        ``(new_params, loss)``: ``new_params`` has the structure of ``params`` with every leaf ``p`` replaced by
        ``p - lr * dL/dp``, all gradients taken at the **old** parameters; ``loss`` is ``cross_entropy`` of the
        old parameters' logits. ``params`` itself (its list and dicts) is not modified. Use your
        ``mlp_forward``, ``mlp_backward`` and ``cross_entropy``; must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### The training loop
#
# `jax.jit` traces a function once per input shape and dtype, compiles it into one XLA program, and replays
# that program on later calls: the Python body does not run again. Create the jitted step once, before the
# loop; a function jitted anew inside the loop (a fresh `lambda` each step) is traced and compiled every step.
#
# ```python
# >>> traces = []
# >>> @jax.jit
# ... def double(x):
# ...     traces.append("traced")
# ...     return 2 * x
# >>> _ = double(1.0); _ = double(2.0); _ = double(3.0)
# >>> traces
# ['traced']
# >>> traces = []
# >>> for value in (1.0, 2.0, 3.0):                # a new function each time: traced each time
# ...     _ = jax.jit(lambda x: traces.append("traced") or 2 * x)(value)
# >>> len(traces)
# 3
# ```

# %%
NUM_CLASSES = 10


def train(key: jax.Array, X: jax.Array, labels: jax.Array, steps: int, lr: float, hidden: int) -> tuple[list[dict], jax.Array]:
    """Task backprop.train: full-batch gradient descent from a He initialisation.

    Args:
        key: PRNG key for the initialisation. X: ``(n, d)`` float32 inputs (already scaled); labels: ``(n,)``
            int in ``[0, NUM_CLASSES)``. steps: number of SGD steps (``>= 1``); lr: step size; hidden: width of
            the hidden layer.

    Returns:
        ``(params, losses)``: start from ``he_init(key, [d, hidden, NUM_CLASSES])`` (that key, unsplit), call
        ``sgd_step(params, X, labels, lr)`` ``steps`` times on the whole batch, each step starting from the
        parameters the previous one returned; ``params`` are the final parameters and ``losses`` a float32
        array of shape ``(steps,)`` holding the loss each step returned. The step must be compiled once with
        ``jax.jit`` (created before the loop, not inside it). Deterministic: the same key gives the same result.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Watch it learn
#
# Run the cell below once everything above passes: it trains on the digits, reports the test accuracy (well
# above 90% after 200 steps) and saves (and shows) the loss curve next to a few test digits with their
# predicted labels.

# %%
if __name__ == "__main__":
    try:
        train_images, train_targets, test_images, test_targets = load_digits_split()
        X_train, y_train = prepare_digits(train_images, train_targets)
        X_test, y_test = prepare_digits(test_images, test_targets)
        trained, loss_curve = train(jax.random.key(0), X_train, y_train, steps=200, lr=0.5, hidden=32)
        predicted = jnp.argmax(mlp_forward(trained, X_test)[0], axis=1)
        print(f"final training loss {float(loss_curve[-1]):.4f}, test accuracy {float(jnp.mean(predicted == y_test)):.3f}")

        import matplotlib

        matplotlib.use("Agg")  # render to a file: works in a notebook, a terminal or a grader alike
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(10, 3.2))
        curve = fig.add_subplot(1, 3, 1)
        curve.plot(np.asarray(loss_curve))
        curve.set_xlabel("step")
        curve.set_ylabel("training loss")
        curve.set_title("loss curve")
        for slot in range(8):
            ax = fig.add_subplot(2, 6, 3 + slot + 2 * (slot // 4))
            ax.imshow(test_images[slot], cmap="gray_r")
            ax.set_title(f"pred {int(predicted[slot])} (true {int(test_targets[slot])})", fontsize=8)
            ax.axis("off")
        fig.tight_layout()
        fig.savefig("backprop_digits.png", dpi=80)
        plt.close(fig)
        print("saved the plot to backprop_digits.png")
        try:
            get_ipython  # noqa: B018, F821  (defined only inside IPython and Jupyter)
        except NameError:
            pass
        else:  # in a notebook, show it as well
            from IPython.display import Image, display

            display(Image("backprop_digits.png"))
    except NotImplementedError:
        print("Some tasks are still stubs: finish them, then run this cell again to watch the network learn.")
