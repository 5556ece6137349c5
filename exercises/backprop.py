# Generated from solutions/backprop.py (sha256 6d61a907750f) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Backpropagation from scratch: a scalar autodiff engine, then a manual MLP backward pass, checked against JAX.

Learning goals
--------------
- Build reverse-mode autodiff on scalars: every operation records its inputs, its local derivatives
  flow backwards by the chain rule, and gradients *accumulate* when a value is used more than once.
- Order the backward pass topologically, so a node passes its gradient on only after every node that
  uses it has handed its gradient down.
- Compute ``log_softmax`` with the max shift (logsumexp) so that logits of +-1000 give no ``inf``/``nan``,
  and the mean cross-entropy from integer labels.
- Initialise ReLU layers with He scaling (std ``sqrt(2 / fan_in)``), one PRNG subkey per layer.
- Write the forward pass of a 2-layer ReLU MLP with cached activations and its backward pass by hand,
  and prove it against ``jax.grad`` and finite differences.
- Use ``jax.vmap`` to get per-example gradients, then train the MLP with jitted SGD on the 8x8 digits.

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
# `d root / d a = (d root / d out) * (d out / d a)`, i.e. `a.grad += out.grad * b.data`. The `+=` matters:
# when `a` feeds several nodes (or the same node twice, as in `a * a`), each use contributes a term.

# %%
def propagate(node: Value) -> None:
    """Task backprop.propagate: apply the chain rule at one node of the graph.

    Args:
        node: a ``Value`` whose ``node.grad`` (d root / d node) is final. Its ``op`` is one of
            ``""`` (a leaf: nothing to do), ``"+"``, ``"*"`` (two children), ``"**"`` (one child,
            constant exponent ``node.exponent``), ``"tanh"``, ``"exp"``, ``"log"``, ``"relu"`` (one child).

    Effect:
        For every child ``c`` in ``node.children`` (in order, duplicates included), **add**
        ``node.grad * d node / d c`` to ``c.grad``. Do not assign: a child may already hold contributions
        from other nodes, or appear twice in ``children``. Returns None; ``node.grad`` is not changed.
        Use ``node.data`` where it helps (``tanh`` and ``exp`` outputs give their own derivatives). The
        ReLU derivative is 1 where the input is > 0 and 0 elsewhere.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `propagate(node)` is only correct once `node.grad` is final, i.e. after **every** node that uses `node`
# has propagated. A reverse topological order guarantees that: list the nodes so that each comes after its
# children (a depth-first search that appends a node after visiting its children), then walk the list
# backwards starting from the root, whose gradient with respect to itself is 1.

# %%
def backward(root: Value) -> None:
    """Task backprop.backward: run the backward pass from ``root``.

    Args:
        root: the output ``Value`` of an expression. Every ``grad`` in the graph starts at 0.

    Effect:
        Sets ``root.grad = 1.0``, then calls ``propagate(node)`` exactly once for every node reachable from
        ``root`` (leaves included, in any order that is a reverse topological order: a node only after every
        node that uses it). Afterwards each leaf's ``.grad`` is d root / d leaf. Returns None.
        Nodes are shared (``a * a``, or ``b`` used by two later nodes): visit each node once (keep a set of
        the nodes already seen; ``Value`` objects are hashable by identity).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# `jax.grad` does the same thing on arrays: it records the operations (as a jaxpr) and applies each
# primitive's local derivative in reverse order. You can check your engine against it, e.g.
# `jax.grad(lambda a, b: jnp.tanh(a * b) + a)` versus the same expression built from `Value`s.
#
# ## Part 2: a numerically stable softmax cross-entropy
#
# `log(sum(exp(z)))` overflows as soon as a logit is above ~88 in float32: `exp(1000)` is `inf`. Since
# `log_softmax(z) = log_softmax(z - c)` for any constant `c` per row, subtract the row maximum first:
# `logsumexp(z) = m + log(sum(exp(z - m)))` with `m = max(z)`, where every exponent is `<= 0`.

# %%
def log_softmax(logits: jax.Array) -> jax.Array:
    """Task backprop.log_softmax: ``logits - logsumexp(logits)`` along the last axis, computed stably.

    Args:
        logits: a float array of shape ``(..., k)``; rows may be offset by +-1000 or more.

    Returns:
        An array of the same shape and dtype whose entries are ``log(softmax(logits))`` along the last axis:
        finite for any finite input, and unchanged when a constant is added to a whole row. Must work under
        ``jax.jit``. Do not call ``jax.nn.log_softmax`` or ``jax.nn.softmax`` (the checks make them raise);
        subtract the row maximum yourself (``jax.scipy.special.logsumexp`` is allowed).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %%
def cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Task backprop.cross_entropy: mean softmax cross-entropy of integer labels.

    Args:
        logits: float array of shape ``(n, k)``.
        labels: int array of shape ``(n,)`` with values in ``[0, k)`` (NumPy or JAX, int32 or int64).

    Returns:
        A scalar of the logits' dtype: ``-mean_i log_softmax(logits)[i, labels[i]]``, the **mean** over the
        batch (not the sum). Finite for logits offset by +-1000; must work under ``jax.jit``. Use your
        ``log_softmax``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 3: a 2-layer ReLU MLP by hand
#
# ### He initialisation
#
# With weights of standard deviation 1, each layer multiplies the activations' scale by about
# `sqrt(fan_in)`: a few layers and the logits are in the thousands. He initialisation draws
# `W ~ N(0, 2 / fan_in)`, which keeps the variance of ReLU activations constant from layer to layer
# (the 2 compensates for ReLU zeroing half the inputs). Biases start at zero. Each layer needs its **own**
# subkey: the same key twice gives the same numbers twice.

# %%
def he_init(key: jax.Array, sizes: list[int]) -> list[dict]:
    """Task backprop.he_init: He-initialised parameters of an MLP with layer widths ``sizes``.

    Args:
        key: a PRNG key (``jax.random.key(seed)``); use each key at most once: split it.
        sizes: ``[n_in, n_hidden..., n_out]``, at least two ints.

    Returns:
        A list with one dict per layer ``l`` (``len(sizes) - 1`` of them): ``{"W": float32 array of shape
        (sizes[l], sizes[l + 1]), "b": float32 zeros of shape (sizes[l + 1],)}``. The entries of each ``W``
        have mean 0 and standard deviation ``sqrt(2 / sizes[l])`` (fan-in); a normal or a variance-corrected
        truncated normal are both fine. Layers are drawn from different subkeys, so no two layers share their
        random numbers. The same key gives the same parameters.
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
        X: float array of shape ``(n, d)``.

    Returns:
        ``(logits, cache)``: ``logits = Z2`` of shape ``(n, k)`` and ``cache = {"X": X, "Z1": X @ W1 + b1,
        "A1": relu(Z1), "Z2": A1 @ W2 + b2}`` (exactly these four keys). No ReLU after the last layer.
        Must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### Backward pass by hand
#
# With `L = mean_i CE(Z2_i, y_i)` and `P = softmax(Z2)`, the chain rule gives, one step at a time:
#
# | quantity | formula | shape |
# | --- | --- | --- |
# | `dZ2` | `(P - onehot(y)) / n` (the mean's `1/n`) | `(n, k)` |
# | `dW2`, `db2` | `A1.T @ dZ2`, `dZ2.sum(0)` | `(h, k)`, `(k,)` |
# | `dA1` | `dZ2 @ W2.T` | `(n, h)` |
# | `dZ1` | `dA1 * (Z1 > 0)` | `(n, h)` |
# | `dW1`, `db1` | `X.T @ dZ1`, `dZ1.sum(0)` | `(d, h)`, `(h,)` |
#
# Every gradient has the shape of the thing it differentiates: `dW` is shaped like `W`, which tells you
# which side the transpose goes on.

# %%
def mlp_backward(params: list[dict], cache: dict, labels: jax.Array) -> list[dict]:
    """Task backprop.mlp_backward: gradients of the mean cross-entropy, by hand.

    Args:
        params: ``[{"W": (d, h), "b": (h,)}, {"W": (h, k), "b": (k,)}]``.
        cache: ``{"X", "Z1", "A1", "Z2"}`` from ``mlp_forward(params, X)``.
        labels: int array of shape ``(n,)``.

    Returns:
        A list of two dicts shaped exactly like ``params`` (``"W"`` and ``"b"`` in each): the gradients of
        ``cross_entropy(Z2, labels)`` (the mean over the batch) with respect to every parameter. Keep the
        inputs' float dtype (float64 in, float64 out). Must not call ``jax.grad``, ``jax.vjp``,
        ``jax.value_and_grad``, ``jax.jacrev``, ``jax.jacfwd`` or ``jax.linearize``: the checks make them
        raise. ``jax.nn.softmax``, ``jax.nn.one_hot`` and your ``log_softmax`` are fine.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 4: per-example gradients with `vmap`
#
# The batch gradient is the mean of the per-example gradients. With `jax.vmap` you can get all of them
# at once without a Python loop: write the gradient for **one** example (a batch of size 1) and map it over
# the rows of `X` and `labels`, with `in_axes=(None, 0, 0)` so the parameters are shared. Per-example
# gradients are what differential privacy clips and what gradient-noise diagnostics measure.

# %%
def per_example_grads(params: list[dict], X: jax.Array, labels: jax.Array) -> list[dict]:
    """Task backprop.per_example_grads: the gradient of each example's own loss, all at once.

    Args:
        params: the 2-layer MLP parameters (see ``mlp_forward``).
        X: float array ``(n, d)``; labels: int array ``(n,)``.

    Returns:
        A list of two dicts like ``params`` whose leaves have an extra leading axis of size ``n``: entry ``i``
        is the gradient of ``cross_entropy(logits of X[i:i+1], labels[i:i+1])``. Their mean over axis 0 is the
        batch gradient. Use ``jax.vmap`` (no Python loop over examples; the compiled program must not grow
        with ``n``); you may use your ``mlp_forward``/``mlp_backward`` or ``jax.grad`` inside. Must work under
        ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Part 5: training on the 8x8 digits
#
# scikit-learn ships 1797 handwritten digits as 8x8 images with pixel values 0..16, no download needed.
# `load_digits_split` (given) returns them as raw images with a fixed train/test split. Networks train
# badly on inputs of size 16: scale the pixels to [0, 1] first.

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
        targets: NumPy int array ``(n,)`` of digit labels 0..9.

    Returns:
        ``(X, y)``: ``X`` a float32 JAX array ``(n, 64)`` (each image flattened row by row) with pixels scaled
        to [0, 1] by dividing by 16, the digits' maximum (not 255); ``y`` an int32 JAX array ``(n,)``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### One SGD step
#
# A step computes the loss and every gradient at the **current** parameters, then moves each parameter
# against its gradient: `p - lr * dp`. If you update `W2` before computing `dA1 = dZ2 @ W2.T`, the first
# layer's gradient uses the wrong weights; computing all gradients first, then updating, avoids that.

# %%
def sgd_step(params: list[dict], X: jax.Array, labels: jax.Array, lr: float) -> tuple[list[dict], jax.Array]:
    """Task backprop.sgd_step: one step of gradient descent on the mean cross-entropy.

    Args:
        params: the 2-layer MLP parameters; X: ``(n, d)`` float32; labels: ``(n,)`` int; lr: the step size
            (a float, possibly traced under ``jax.jit``).

    Returns:
        ``(new_params, loss)``: ``new_params`` has the structure of ``params`` with every leaf ``p`` replaced by
        ``p - lr * dL/dp``, all gradients taken at the **old** parameters; ``loss`` is ``cross_entropy`` of the
        old parameters' logits. ``params`` itself is not modified. Use your ``mlp_forward``, ``mlp_backward``
        and ``cross_entropy``; must work under ``jax.jit``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ### The training loop
#
# `jax.jit` compiles the whole step into one XLA program the first time, then each call costs a fraction of
# a millisecond. Create the jitted step once, outside the loop.

# %%
NUM_CLASSES = 10


def train(key: jax.Array, X: jax.Array, labels: jax.Array, steps: int, lr: float, hidden: int) -> tuple[list[dict], jax.Array]:
    """Task backprop.train: full-batch gradient descent on the digits.

    Args:
        key: PRNG key for the initialisation. X: ``(n, d)`` float32 inputs (already scaled); labels: ``(n,)`` int.
        steps: number of SGD steps; lr: step size; hidden: width of the hidden layer.

    Returns:
        ``(params, losses)``: the parameters after ``steps`` calls of the jitted ``sgd_step`` on the whole
        batch, starting from ``he_init(key, [d, hidden, NUM_CLASSES])``; ``losses`` a float32 array of shape
        ``(steps,)``, the loss returned by each step. Deterministic: the same key gives the same result.
        With ``steps=200, lr=0.5, hidden=32`` it reaches at least 93% test accuracy in about a second on a CPU.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Watch it learn
#
# Run the cell below once everything above passes: it trains on the digits, reports the test accuracy and
# saves (and shows) the loss curve next to a few test digits with their predicted labels.

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
