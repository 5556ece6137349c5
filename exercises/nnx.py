# Generated from solutions/nnx.py (sha256 7b4043e43e9e) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Flax NNX and a CNN: convolution by hand, models as Python objects, training in place, checkpoints.

Learning goals
--------------
- Compute a 2-D convolution from image patches with ``einsum``, exactly as ``lax.conv_general_dilated``
  and ``nnx.Conv`` do: cross-correlation (no kernel flip), NHWC images, HWIO kernels, strides, and the
  ``SAME`` / ``VALID`` padding rules; know the receptive field of a stack of convolutions.
- Know how NNX relates to Linen: an NNX module *holds* its variables (``nnx.Param``, ``nnx.BatchStat``, RNG
  state) where Linen keeps ``params`` and ``batch_stats`` in a separate dict; move a trained Linen model's
  variables into the same NNX model and get the same outputs.
- Write an NNX CNN with ``nnx.Conv``, ``nnx.BatchNorm`` and ``nnx.Dropout`` whose behaviour follows
  ``model.train()`` and ``model.eval()``.
- Train in place: ``nnx.value_and_grad`` (gradients of the ``Param`` variables only),
  ``nnx.Optimizer(model, tx, wrt=nnx.Param)`` and ``optimizer.update(model, grads)``, compiled with
  ``nnx.jit`` so that parameters, batch statistics and RNG counts all advance; train on the digits and
  reach a stated accuracy.
- Cross between NNX objects and pure functions with ``nnx.split`` / ``nnx.merge`` / ``nnx.update``: a
  whole training run inside one ``jax.lax.scan``, with nothing lost on the way back.
- Save ``nnx.state(model)`` with Orbax and restore it into an abstract model from ``nnx.eval_shape``.

Out of scope: checkpoint managers, retention and resuming (topic ``checkpointing``), multiple devices
(topic ``pmap``), ``nnx.scan`` / ``nnx.vmap`` over layers, the ``flax.nnx.bridge`` wrappers.
"""

# %%
import os
import tempfile
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from flax import linen as nn
from flax import nnx
from jax import lax

# %% [markdown]
# ## 1. Convolution by hand
#
# A convolution layer slides a small kernel over the image and, at every position, takes the dot product of
# the kernel with the patch of image under it. Two properties make it the layer for images:
#
# - **Locality**: each output looks at a small window of the input (its *receptive field*).
# - **Weight sharing**: the same kernel is used at every position, so a pattern is detected wherever it is.
#   Shifting the input shifts the output (*translation equivariance*).
#
# JAX's primitive is `lax.conv_general_dilated`; `nnx.Conv` (and Linen's `nn.Conv`) call it with images as
# `NHWC` (batch, height, width, channels) and kernels as `HWIO` (height, width, in channels, out channels).
# Deep-learning "convolution" is really **cross-correlation**: the kernel is *not* flipped, unlike the
# convolution of signal processing (`jnp.convolve`):
#
# ```python
# >>> signal, kernel = jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 0.0, -1.0])
# >>> jnp.convolve(signal, kernel, mode="valid")          # flips the kernel: 3 * 1 + 2 * 0 + 1 * (-1)
# Array([2.], dtype=float32)
# >>> lax.conv_general_dilated(signal.reshape(1, 3, 1), kernel.reshape(3, 1, 1), (1,), "VALID",
# ...                          dimension_numbers=("NWC", "WIO", "NWC")).ravel()   # 1 * 1 + 2 * 0 + 3 * (-1)
# Array([-2.], dtype=float32)
# ```
#
# **Padding.** `VALID` adds none: an input of size `H` and a kernel of size `K` with stride `S` give
# `(H - K) // S + 1` outputs. `SAME` gives `ceil(H / S)` outputs and pads just enough for that:
# `max((out - 1) * S + K - H, 0)` zeros in total, half of them (rounded down) before and the rest after.
# For an even kernel, or a stride that does not fit, the two sides differ; `lax.padtype_to_pads` says how:
#
# ```python
# >>> lax.padtype_to_pads((8, 8), (3, 4), (2, 2), "SAME")   # (before, after) per spatial axis
# [(0, 1), (1, 1)]
# >>> lax.padtype_to_pads((8,), (3,), (1,), "SAME")
# [(1, 1)]
# ```
#
# **From patches to a matrix product.** Gather, for every output position, the `KH x KW x C_in` patch it sees;
# the convolution is then one `einsum` of the patches with the kernel over `(kh, kw, c_in)`. With strides, the
# patch of output `i` starts at input row `i * S` (of the padded image).

# %%
def conv2d(x: jax.Array, kernel: jax.Array, strides: tuple[int, int], padding: str) -> jax.Array:
    """Task nnx.conv2d: a 2-D convolution (cross-correlation) built from patches, without a convolution routine.

    ``out[n, i, j, o] = sum over a, b, c of xp[n, i * sh + a, j * sw + b, c] * kernel[a, b, c, o]``, where ``xp``
    is ``x`` zero-padded as ``padding`` says: the result equals ``lax.conv_general_dilated(x, kernel, strides,
    padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))`` (the kernel is not flipped).

    Args:
        x: float32 images of shape ``(N, H, W, C_in)``.
        kernel: float32 array of shape ``(KH, KW, C_in, C_out)``; ``KH x KW`` may be ``1 x 1``, even, or not
            square. With ``"VALID"``, ``KH <= H`` and ``KW <= W``.
        strides: ``(sh, sw)``, Python ints ``>= 1`` (they need not divide anything evenly).
        padding: ``"VALID"``: no padding, ``H_out = (H - KH) // sh + 1``. ``"SAME"``: ``H_out = ceil(H / sh)``,
            with ``max((H_out - 1) * sh + KH - H, 0)`` rows of zeros in total, ``total // 2`` of them above and
            the rest below; the same along the width.

    Returns:
        A float32 array of shape ``(N, H_out, W_out, C_out)``. Must work under ``jax.jit`` (with ``strides`` and
        ``padding`` static) and under ``jax.grad``. Must not use any convolution routine (``lax.conv*``, including
        ``lax.conv_general_dilated_patches``, ``jnp.convolve``, ``jax.scipy.signal``, ``nnx.Conv``): its jaxpr
        must contain no ``conv_general_dilated``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# Stack convolutions and each output sees more of the input. A 3x3 convolution after a 3x3 convolution sees a
# 5x5 window; a stride multiplies the step with which every later layer moves over the input. The gradient of
# one output with respect to the input is non-zero exactly on its receptive field:
#
# ```python
# >>> def two_layers(image):
# ...     k = jnp.ones((3, 3, 1, 1))
# ...     dn = ("NHWC", "HWIO", "NHWC")
# ...     h = lax.conv_general_dilated(image, k, (1, 1), "VALID", dimension_numbers=dn)
# ...     return lax.conv_general_dilated(h, k, (1, 1), "VALID", dimension_numbers=dn)[0, 0, 0, 0]
# >>> seen = jax.grad(two_layers)(jnp.ones((1, 9, 9, 1)))[0, :, :, 0] != 0
# >>> int(seen.any(axis=1).sum()), int(seen.any(axis=0).sum())      # rows and columns that matter
# (5, 5)
# ```
#
# And a convolution commutes with shifts: shift the image, and the feature map shifts with it (away from the
# borders, where the zero padding differs):
#
# ```python
# >>> image = jax.random.normal(jax.random.key(0), (1, 8, 8, 1))
# >>> k = jax.random.normal(jax.random.key(1), (3, 3, 1, 4))
# >>> def features(x):
# ...     return lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
# >>> shifted = jnp.roll(image, 2, axis=2)                     # two pixels to the right
# >>> bool(jnp.allclose(features(shifted)[:, :, 3:7], features(image)[:, :, 1:5], atol=1e-5))
# True
# ```

# %%
def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    """Task nnx.receptive_field: how many input positions (along one axis) one output of a stack of convolutions sees.

    Layer ``i`` (in the order the input goes through them) has kernel size ``kernel_sizes[i]`` and stride
    ``strides[i]``, no dilation. One output of the last layer depends on a window of this many consecutive
    input positions (padding does not change it).

    Args:
        kernel_sizes: Python ints ``>= 1``, one per layer; the list may be empty (no layer: the field is 1).
        strides: Python ints ``>= 1``, as many as ``kernel_sizes``.

    Returns:
        The receptive field as a Python int.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 2. From Linen to NNX
#
# In topic `trainstate` a Linen module was a *description*: `model.init` returned its variables as nested
# dicts (`params`, `batch_stats`), `model.apply` took them back in, a `train` flag chose the mode, and the
# dropout key and the new statistics went in and out explicitly, carried by a `TrainState`.
#
# An **NNX** module is an ordinary Python object that *holds* its variables, created eagerly in `__init__`:
#
# ```python
# >>> layer = nnx.Linear(3, 2, rngs=nnx.Rngs(0))       # nnx.Rngs hands out keys for the initialisers
# >>> type(layer.kernel).__name__, layer.kernel.shape
# ('Param', (3, 2))
# >>> nn.Dense(2).init(jax.random.key(0), jnp.ones((1, 3)))["params"]["kernel"].shape   # Linen: same layout
# (3, 2)
# ```
#
# The two kinds of state are told apart by the *type* of the variable instead of a collection name:
# `nnx.Param` (trained) and `nnx.BatchStat` (running averages); a layer that draws random numbers keeps an RNG
# stream of its own (`nnx.RngKey` and `nnx.RngCount`). Here is the model of topic `trainstate`, in both APIs:

# %%
class LinenMLP(nn.Module):
    """Topic trainstate's classifier (its build_model answer): Dense, BatchNorm, relu, Dropout, Dense."""

    hidden: int
    num_classes: int
    dropout_rate: float

    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(self.hidden)(x)
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
        x = nn.relu(x)
        x = nn.Dropout(rate=self.dropout_rate, deterministic=not train)(x)
        return nn.Dense(self.num_classes)(x)


class MLP(nnx.Module):
    """The same classifier in NNX: the layers are attributes, created (with their variables) in __init__."""

    def __init__(self, in_features: int, hidden: int, num_classes: int, dropout_rate: float, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(in_features, hidden, rngs=rngs)
        self.bn = nnx.BatchNorm(hidden, momentum=0.9, rngs=rngs)
        self.dropout = nnx.Dropout(dropout_rate, rngs=rngs)  # keeps its own RNG stream, forked from rngs
        self.linear2 = nnx.Linear(hidden, num_classes, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.bn(self.linear1(x)))
        return self.linear2(self.dropout(x))


# %% [markdown]
# `nnx.state(model)` collects every variable of a model by path; `nnx.to_flat_state` lists them. There is no
# `train` argument: `model.train()` and `model.eval()` set the mode of every layer inside (BatchNorm's
# `use_running_average`, Dropout's `deterministic`). The statistics are updated *in place* while training, and
# every train-mode call of Dropout advances its RNG count, so each call draws a new mask:
#
# ```python
# >>> mlp = MLP(4, 8, 3, 0.5, rngs=nnx.Rngs(0))
# >>> [("/".join(map(str, path)), type(v).__name__) for path, v in nnx.to_flat_state(nnx.state(mlp))][:4]
# [('bn/bias', 'Param'), ('bn/mean', 'BatchStat'), ('bn/scale', 'Param'), ('bn/var', 'BatchStat')]
# >>> mlp.eval()
# >>> mlp.bn.use_running_average, mlp.dropout.deterministic
# (True, True)
# >>> mlp.train()
# >>> x = jnp.linspace(-1.0, 1.0, 8).reshape(2, 4)
# >>> first, second = mlp(x), mlp(x)                        # two calls, two dropout masks
# >>> bool(jnp.array_equal(first, second)), int(mlp.dropout.rngs.count[...])
# (False, 2)
# >>> bool(jnp.any(mlp.bn.mean[...] != 0))                  # the running mean moved, in place
# True
# ```
#
# Read a variable's array with `variable[...]` and write one with `variable[...] = array`: the variable, and
# so its type, stays. Binding a plain array to the attribute instead *replaces* the variable, and what was a
# `Param` is no longer one (an optimizer for `nnx.Param` then ignores it):
#
# ```python
# >>> layer = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
# >>> layer.bias[...] = jnp.ones(2)
# >>> type(layer.bias).__name__
# 'Param'
# >>> layer.bias = jnp.ones(2)
# >>> type(layer.bias).__name__
# 'ArrayImpl'
# ```

# %%
def linen_to_nnx(variables: dict, model: MLP) -> None:
    """Task nnx.linen_to_nnx: copy a ``LinenMLP``'s variables into an ``MLP`` of the same sizes, in place.

    After the call, ``model`` computes exactly what ``LinenMLP(hidden, num_classes, dropout_rate).apply(variables,
    x, train=False)`` computes in evaluation mode, and its BatchNorm running averages are the Linen ones.

    Args:
        variables: ``{'params': {'Dense_0': {'kernel', 'bias'}, 'BatchNorm_0': {'scale', 'bias'}, 'Dense_1':
            {'kernel', 'bias'}}, 'batch_stats': {'BatchNorm_0': {'mean', 'var'}}}``, float32 arrays, as
            ``LinenMLP.init`` returns them (later trained). Do not modify it.
        model: an ``MLP`` with the same ``in_features``, ``hidden`` and ``num_classes`` (all different from each
            other), in any mode. Its own values are to be replaced.

    Returns:
        Nothing: ``model`` is modified in place. Every variable keeps its type (the kernels and biases and
        BatchNorm's scale and bias stay ``nnx.Param``, its mean and var stay ``nnx.BatchStat``); the dropout RNG
        state and the model's mode are left as they were.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. A CNN in NNX
#
# The digits are 8x8 grey images: `(N, 8, 8, 1)` in NHWC. Two 3x3 convolutions, the second with stride 2,
# give a `(N, 4, 4, C2)` feature map; flattening it and a linear layer give the logits. Each convolution is
# followed by BatchNorm and relu. A bias right before BatchNorm is wasted: BatchNorm subtracts the batch mean,
# so the bias cancels out (and its gradient is zero up to rounding). Hence `use_bias=False`:
#
# ```python
# >>> bn = nnx.BatchNorm(2, rngs=nnx.Rngs(0))
# >>> h = jax.random.normal(jax.random.key(0), (16, 2))
# >>> bool(jnp.allclose(bn(h), bn(h + jnp.array([3.0, -1.0])), atol=1e-5))   # train mode: batch statistics
# True
# ```
#
# (Flattening keeps *where* a feature was found. Averaging over the positions instead would make the logits
# invariant to shifts; on 8x8 digits, where position matters, it learns more slowly.)
#
# NNX modules are created in training mode. Defining the class inside `make_cnn` is only a convenience of this
# exercise; in your own code it would sit at module level.

# %%
def make_cnn(channels: tuple[int, int], num_classes: int, dropout_rate: float, rngs: nnx.Rngs) -> nnx.Module:
    """Task nnx.make_cnn: an NNX CNN for 8x8 single-channel images, with BatchNorm and Dropout.

    Return an instance of an ``nnx.Module`` subclass you define, with exactly these attributes (other tasks and
    the checks read the model's state by these paths), each layer created with ``rngs=rngs``:

    - ``conv1 = nnx.Conv(1, c1, kernel_size=(3, 3), padding="SAME", use_bias=False)``
    - ``bn1 = nnx.BatchNorm(c1, momentum=0.9)``
    - ``conv2 = nnx.Conv(c1, c2, kernel_size=(3, 3), strides=(2, 2), padding="SAME", use_bias=False)``
    - ``bn2 = nnx.BatchNorm(c2, momentum=0.9)``
    - ``dropout = nnx.Dropout(dropout_rate)`` (given ``rngs=rngs`` too, so that it keeps its own RNG stream)
    - ``head = nnx.Linear(4 * 4 * c2, num_classes)``

    and no other variable. ``model(x)`` on float32 images ``x`` of shape ``(N, 8, 8, 1)`` computes
    ``relu(bn1(conv1(x)))``, then ``relu(bn2(conv2(.)))`` (shape ``(N, 4, 4, c2)``), flattens each example
    row-major to ``(N, 16 * c2)``, applies dropout, then ``head``: float32 logits ``(N, num_classes)``. It takes
    no argument other than ``x``: the mode comes from ``model.train()`` (BatchNorm normalises with the batch
    statistics and updates its running averages, dropout draws a new mask at every call) and ``model.eval()``
    (running averages, no dropout, nothing changes). Calling the model must work under ``nnx.jit``, and
    ``make_cnn`` itself under ``nnx.eval_shape`` (its ``__init__`` only creates the layers).

    Args:
        channels: ``(c1, c2)``, the output channels of the two convolutions.
        num_classes: number of logits.
        dropout_rate: the fraction of features dropped in training mode, in ``[0, 1)``.
        rngs: the ``nnx.Rngs`` to create every layer with.

    Returns:
        The model.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. Training in place
#
# An NNX training step changes the model and the optimizer *in place*; nothing is returned but the loss.
#
# - `nnx.value_and_grad(loss_fn)(model)` differentiates with respect to the model's `nnx.Param` variables only
#   (its default), and returns the gradients as a `State` of them. Call the model *inside* `loss_fn`, once:
#   that call is the forward pass, and in training mode it also updates the batch statistics and advances the
#   dropout RNG, which go out of the function in place.
# - `nnx.Optimizer(model, tx, wrt=nnx.Param)` holds the Optax state for the `Param` variables, and
#   `optimizer.update(model, grads)` applies one step to them. `BatchStat` and RNG variables are never touched
#   by the optimizer.
# - `nnx.jit` compiles a function of NNX objects and writes their new state back after every call. Plain
#   `jax.jit` also accepts NNX objects (they are pytrees), but the updates made inside are lost:
#
# ```python
# >>> mlp = MLP(4, 8, 3, 0.5, rngs=nnx.Rngs(0))
# >>> grads = nnx.grad(lambda m: m(x).sum())(mlp)
# >>> sorted({type(v).__name__ for _, v in nnx.to_flat_state(grads)})
# ['Param']
# >>> before = int(mlp.dropout.rngs.count[...])
# >>> _ = jax.jit(lambda m, v: m(v))(mlp, x)
# >>> int(mlp.dropout.rngs.count[...]) - before                # the copy inside jax.jit advanced, not mlp
# 0
# >>> _ = nnx.jit(lambda m, v: m(v))(mlp, x)
# >>> int(mlp.dropout.rngs.count[...]) - before
# 1
# >>> optimizer = nnx.Optimizer(mlp, optax.sgd(0.1), wrt=nnx.Param)
# >>> _ = optimizer.update(mlp, grads)                         # (it also returns the updates it applied)
# >>> int(optimizer.step[...])
# 1
# ```

# %%
def train_step(model: nnx.Module, optimizer: nnx.Optimizer, x: jax.Array, y: jax.Array) -> jax.Array:
    """Task nnx.train_step: one optimisation step of an NNX classifier, in place.

    The loss is the mean over the batch of ``optax.softmax_cross_entropy_with_integer_labels(model(x), y)``,
    computed with the model in the mode the caller set (the caller puts it in training mode).
    Differentiate it with respect to the model's ``nnx.Param`` variables only and apply the gradients with
    ``optimizer.update(model, grads)``. The model is called exactly once per step, so BatchNorm's running
    averages and dropout's RNG count advance once, like in the forward pass the gradients come from.

    Args:
        model: an NNX classifier (like ``make_cnn``'s), called as ``model(x)``.
        optimizer: ``nnx.Optimizer(model, tx, wrt=nnx.Param)`` for this model, with any Optax ``tx``.
        x: a float32 batch the model accepts.
        y: int32 labels of shape ``(N,)``.

    Returns:
        The loss of this step (before the update), a float32 scalar array. Must work under ``nnx.jit(train_step)``,
        traced only once for repeated calls with same-shaped batches.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Training on digits
#
# A training loop in NNX sets the mode explicitly: `model.train()` before the training steps of an epoch,
# `model.eval()` before evaluating. Forget `eval()` and the test accuracy is measured with the statistics of the
# test batch, through random dropout masks (and the running averages are updated with test data); forget
# `train()` after an evaluation and the next epoch trains without dropout and without updating its statistics.

# %%
def load_digit_images() -> dict:
    """scikit-learn's 8x8 digits as images ``(N, 8, 8, 1)`` in [0, 1], shuffled once with a fixed seed: 1500
    images for training, 297 for testing (int32 labels)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(y))  # fixed: every run sees the same split
    x, y = x[order], y[order]
    return {"train_x": x[:1500], "train_y": y[:1500], "test_x": x[1500:], "test_y": y[1500:]}


def fit(model: nnx.Module, data: dict, *, num_epochs: int, batch_size: int, learning_rate: float,
        key: jax.Array) -> dict:
    """Task nnx.fit: train an NNX classifier with Adam, epoch by epoch, and evaluate after each epoch.

    Build ``nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)`` and ``nnx.jit(train_step)`` once.
    For each epoch ``e`` in ``range(num_epochs)``: put the model in training mode; ``order =
    jax.random.permutation(jax.random.fold_in(key, e), n_train)``; for ``b`` in ``range(n_train // batch_size)``
    (the last partial batch is dropped) train on ``idx = order[b * batch_size:(b + 1) * batch_size]``, i.e. on
    ``train_x[idx], train_y[idx]``. Then put the model in evaluation mode and compute the accuracy on the whole
    test set: the fraction of ``test_y`` equal to the argmax of the logits.

    Args:
        model: a classifier like ``make_cnn``'s, in any mode. It is trained in place.
        data: ``{'train_x', 'train_y', 'test_x', 'test_y'}``, NumPy or JAX arrays as ``load_digit_images``
            returns them (any number of examples).
        num_epochs, batch_size: Python ints ``>= 1``.
        learning_rate: Adam's learning rate, a Python float.
        key: a typed PRNG key for the shuffling.

    Returns:
        ``{'train_loss': [...], 'test_accuracy': [...]}``: one Python float per epoch each, the mean of that
        epoch's step losses and the test accuracy after it. The model is left trained and in evaluation mode.
        The compiled step is traced once for the whole run.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. NNX objects and pure functions: split, merge, update
#
# JAX's own transformations (`jax.jit`, `jax.lax.scan`, `jax.vmap` ...) work on pure functions of arrays.
# `nnx.split(obj)` turns NNX objects into a `GraphDef` (the static structure: classes, attributes, modes) and a
# `State` (a pytree of every variable); `nnx.merge(graphdef, state)` builds objects from them, and
# `nnx.state(obj)` reads an object's state. Outside a transformation the state holds the model's own variable
# objects, and `merge` reuses them (`merge(..., copy=True)` copies). Inside `jax.jit` or `jax.lax.scan` the
# state is a tree of traced arrays, so the merged objects are new, and whatever they change stays inside unless
# you return their state and write it back into the originals with `nnx.update`:
#
# ```python
# >>> mlp = MLP(4, 8, 3, 0.5, rngs=nnx.Rngs(0))
# >>> graphdef, state = nnx.split(mlp)
# >>> state["bn"]["mean"] is mlp.bn.mean, nnx.merge(graphdef, state, copy=True).bn.mean is mlp.bn.mean
# (True, False)
# >>> @jax.jit
# ... def forward(state, v):
# ...     model = nnx.merge(graphdef, state)          # new objects around the traced arrays
# ...     return model(v), nnx.state(model)           # train mode: new statistics and RNG count
# >>> _, new_state = forward(state, x)
# >>> int(mlp.dropout.rngs.count[...]), int(new_state["dropout"]["rngs"]["count"][...])
# (0, 1)
# >>> nnx.update(mlp, new_state)
# >>> int(mlp.dropout.rngs.count[...]), bool(jnp.array_equal(mlp.bn.mean[...], new_state["bn"]["mean"][...]))
# (1, True)
# ```
#
# This is the whole of "NNX inside a JAX transformation": split outside, merge inside, return the state, update
# outside. `nnx.jit` does exactly that for you; here you do it by hand to run a whole training run inside
# `jax.lax.scan`, compiled once whatever the number of steps.

# %%
def train_scan(model: nnx.Module, optimizer: nnx.Optimizer, xs: jax.Array, ys: jax.Array) -> jax.Array:
    """Task nnx.train_scan: ``T`` training steps inside one ``jax.lax.scan``, then the result written back in place.

    Split ``model`` and ``optimizer`` with ``nnx.split`` into a graphdef and a state; scan over the batches with
    the state as the carry. The scanned function merges the graphdef with the carried state, calls ``train_step``
    on the merged model and optimizer with the batch ``(xs[t], ys[t])``, and returns their new state and the loss.
    After the scan, write the final state back into ``model`` and ``optimizer`` (``nnx.update``).

    Args:
        model: a classifier like ``make_cnn``'s, in the mode the caller set (training mode).
        optimizer: ``nnx.Optimizer(model, tx, wrt=nnx.Param)`` for it, with any Optax ``tx``.
        xs: float32 batches ``(T, N, ...)``.
        ys: int32 labels ``(T, N)``.

    Returns:
        The ``T`` losses, a float32 array of shape ``(T,)``. Afterwards ``model`` and ``optimizer`` are exactly
        what ``T`` calls of ``train_step`` would have left: parameters, batch statistics, RNG counts, optimizer
        state and step. The compiled program must not grow with ``T`` (no Python loop over the steps).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 7. Saving and restoring with Orbax
#
# `nnx.state(model)` is a pytree of arrays, so Orbax saves it like any other: `ocp.StandardCheckpointer` writes
# it to a directory (in the background: wait for it before you rely on the files). Restoring needs a *target*
# that says what to build. Without one, Orbax returns plain nested dicts, one `{'value': array}` per variable,
# and `nnx.update` does not refuse them: it puts each whole dict into its variable, and the model fails only when
# it is called. The target should cost nothing to build: `nnx.eval_shape` runs a constructor
# abstractly and returns a model whose variables hold only shapes and dtypes.
#
# ```python
# >>> import tempfile
# >>> folder = tempfile.mkdtemp()
# >>> layer = nnx.Linear(3, 2, rngs=nnx.Rngs(0))
# >>> with ocp.StandardCheckpointer() as checkpointer:
# ...     checkpointer.save(os.path.join(folder, "layer"), nnx.state(layer))
# ...     checkpointer.wait_until_finished()
# ...     raw = checkpointer.restore(os.path.join(folder, "layer"))
# >>> sorted(raw["kernel"])
# ['value']
# >>> broken = nnx.Linear(3, 2, rngs=nnx.Rngs(1))
# >>> nnx.update(broken, raw)                               # no error here ...
# >>> type(broken.kernel).__name__, type(broken.kernel.get_value()).__name__
# ('Param', 'dict')
# >>> broken(jnp.ones((1, 3)))                              # ... but the model no longer works
# Traceback (most recent call last):
# KeyError: Ellipsis
# >>> abstract = nnx.eval_shape(lambda: nnx.Linear(3, 2, rngs=nnx.Rngs(0)))
# >>> abstract.kernel.get_value()
# ShapeDtypeStruct(shape=(3, 2), dtype=float32)
# ```
#
# Restoring with `checkpointer.restore(path, abstract_state)` returns a `State` of the target's structure and
# variable types, which `nnx.merge` turns into a model. Saving and restoring whole training runs (optimizer
# state, several checkpoints, resuming) is topic `checkpointing`.

# %%
def save_model(model: nnx.Module, path: str) -> None:
    """Task nnx.save_model: save every variable of an NNX model with Orbax.

    Save ``nnx.state(model)`` itself (parameters, batch statistics and RNG state; not a pure dict) with
    ``ocp.StandardCheckpointer`` to the directory ``path``, and return only once the checkpoint is complete on
    disk.

    Args:
        model: an NNX model (like ``make_cnn``'s). It is not modified.
        path: an absolute path that does not exist yet; the checkpoint is that directory.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def restore_model(path: str, channels: tuple[int, int], num_classes: int, dropout_rate: float) -> nnx.Module:
    """Task nnx.restore_model: rebuild a ``make_cnn`` model from a checkpoint that ``save_model`` wrote.

    Build the target abstractly, without computing any initial value: ``nnx.eval_shape`` of a function that calls
    ``make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0))``. Split it into a graphdef and an abstract
    state, restore the checkpoint at ``path`` with ``ocp.StandardCheckpointer`` into that abstract state, and merge.

    Args:
        path: the checkpoint directory (absolute).
        channels, num_classes, dropout_rate: the settings the saved model was made with.

    Returns:
        The model, holding every saved variable (parameters, batch statistics, RNG key and count) as a
        ``jax.Array`` in a variable of its own type, and in evaluation mode.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## Putting it together
#
# Run this notebook top to bottom (or `python nnx.py`): it trains your CNN on the digits. With channels (8, 16),
# dropout 0.2, a learning rate of 1e-2 and 3 epochs of batches of 100 (45 steps), the test accuracy should pass
# 0.95. Then it saves the model and restores it, and the restored model gives the same accuracy.

# %%
if __name__ == "__main__":
    import tempfile

    try:
        digits = load_digit_images()
        model = make_cnn((8, 16), 10, 0.2, nnx.Rngs(0))
        history = fit(model, digits, num_epochs=3, batch_size=100, learning_rate=1e-2, key=jax.random.key(1))
        print(f"train loss per epoch: {np.round(history['train_loss'], 3)}")
        print(f"test accuracy per epoch: {np.round(history['test_accuracy'], 3)} (target: above 0.95 at the end)")
        path = os.path.join(tempfile.mkdtemp(), "cnn")
        save_model(model, path)
        restored = restore_model(path, (8, 16), 10, 0.2)
        accuracy = jnp.mean(jnp.argmax(restored(jnp.asarray(digits["test_x"])), -1) == digits["test_y"])
        print(f"restored model's test accuracy: {float(accuracy):.3f}")
    except NotImplementedError:
        print("Some functions above are still stubs: finish them to train the CNN on the digits.")
