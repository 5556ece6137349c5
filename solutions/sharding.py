"""Sharding: meshes, NamedSharding, jit on sharded arrays and shard_map (parallelism the way JAX does it today).

Learning goals
--------------
- Build a device ``Mesh`` with named axes (``jax.make_mesh``), lay arrays out on it with ``NamedSharding`` and
  ``PartitionSpec``, and read a layout back: ``x.sharding``, ``x.addressable_shards``, and, for traced arrays,
  ``jax.typeof(x).sharding``.
- Place a model and its batch for tensor parallelism (Megatron-style column and row splits) and data
  parallelism (rows over ``"data"``, parameters replicated).
- Get data parallelism from plain ``jax.jit`` on sharded inputs: the single-device step, unchanged, with the
  all-reduce inserted by the compiler; confirm it in the compiled program's text.
- Work in explicit sharding mode (the default of ``jax.make_mesh``): shardings are part of the type, ambiguous
  contractions are errors, and ``out_sharding`` says where a result lives; ``jax.set_mesh`` makes a mesh current.
- Map every ``pmap`` idiom to the modern one, and rebuild ``jax.pmap`` from ``jax.shard_map``.
- Write collectives by hand: a ring all-reduce from ``lax.ppermute``, and a ZeRO-style optimizer step that
  shards its state with ``lax.psum_scatter`` and ``lax.all_gather``.

Out of scope: several hosts (every device here is local), pipeline parallelism, ``Auto`` mode's sharding
constraints (``jax.lax.with_sharding_constraint``) beyond a glimpse, and memory kinds. Everything here runs on 4
simulated CPU devices: layouts, compiled programs and results can be checked; speed-ups cannot.
"""

# %%
import os

# Simulated devices, as in the pmap topic: the flag must be set before jax starts its backend.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402
from jax.sharding import AxisType, NamedSharding, PartitionSpec as P  # noqa: E402

COLLECTIVES = ("all-gather", "all-reduce", "all-to-all", "collective-permute", "reduce-scatter")


def mse_losses(params: dict, x: jax.Array, y: jax.Array) -> jax.Array:
    """Per-example squared errors, shape ``(B,)``, of the linear model ``x @ w + b`` (``{"w": (d,), "b": ()}``)."""
    return (x @ params["w"] + params["b"] - y) ** 2


def mlp(params: dict, x: jax.Array) -> jax.Array:
    """The two-layer MLP ``relu(x @ w1 + b1) @ w2 + b2`` on one device (``w1 (d, h), b1 (h,), w2 (h, o), b2 (o,)``)."""
    return jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def collectives_in(compiled_text: str) -> list[str]:
    """The kinds of collective operation in the text of a compiled XLA program, sorted (e.g. ``["all-reduce"]``)."""
    return [kind for kind in COLLECTIVES if kind in compiled_text]


def toy_mlp(d: int = 3, h: int = 8, o: int = 2, rows: int = 8, seed: int = 0):
    """Random MLP parameters and a batch ``(params, x)`` (float32 NumPy arrays) for trying things out."""
    rng = np.random.default_rng(seed)
    params = {"w1": rng.normal(size=(d, h)), "b1": rng.normal(size=h), "w2": rng.normal(size=(h, o)),
              "b2": rng.normal(size=o)}
    return ({name: value.astype(np.float32) for name, value in params.items()},
            rng.normal(size=(rows, d)).astype(np.float32))


# %% [markdown]
# ## From pmap to sharded arrays
#
# The `pmap` topic split a batch by hand: reshape to `(n_devices, per_device, ...)`, copy the parameters along a
# new device axis, write a per-device function with `lax.pmean` in it, and take replica 0 at the end. Modern JAX
# keeps **one logical array** of the global shape and describes separately where its pieces live. Every idiom
# has a counterpart; each row below is shown running in this lesson.
#
# | pmap idiom | the modern way |
# | --- | --- |
# | the local devices, all of them | a `Mesh`: devices in a grid with named axes (`jax.make_mesh`) |
# | `shard_batch`: reshape to `(n, B // n, ...)` | `jax.device_put(x, NamedSharding(mesh, P("data")))`, same shape |
# | `replicate`: a leading axis of `n` copies | `NamedSharding(mesh, P())`: one array, a full copy on every device |
# | `jax.device_put_replicated` | removed from JAX; `P()` above |
# | `jax.pmap(step)` with `lax.pmean(grads)` inside | `jax.jit(step)` on sharded inputs: XLA adds the all-reduce |
# | `jax.pmap(f, in_axes=(None, 0))` | `jax.shard_map(f, mesh=..., in_specs=(P(), P("data")), out_specs=...)` |
# | replica 0 of the output, `x[0]` | nothing to do: a replicated result is one array |
# | `pmean(grad(loss))` per device | under `jit`: nothing; under `shard_map`: the gradient **of** a `pmean`ed loss |
# | `lax.psum`, `lax.ppermute`, `lax.axis_index`, `fold_in` | the same, inside `shard_map` |
#
# ## Meshes and `NamedSharding`
#
# `jax.make_mesh(shape, names)` arranges devices in a grid; its axes are **Explicit** unless you say otherwise
# (more on that below). `NamedSharding(mesh, P(...))` says, for each dimension of an array, which mesh axes
# split it: `P("data")` splits dimension 0 over the `"data"` axis; dimensions not named (and mesh axes not
# named) are not split, so each block is copied on every device along the unnamed mesh axes.
#
# ```python
# >>> mesh = jax.make_mesh((2, 2), ("data", "model"))
# >>> mesh.shape, mesh.axis_types
# (OrderedDict([('data', 2), ('model', 2)]), (Explicit, Explicit))
# >>> mesh.devices
# array([[CpuDevice(id=0), CpuDevice(id=1)],
#        [CpuDevice(id=2), CpuDevice(id=3)]], dtype=object)
# >>> x = jax.device_put(jnp.arange(32.0).reshape(8, 4), NamedSharding(mesh, P("data")))
# >>> x.shape, x.sharding.spec
# ((8, 4), P('data',))
# >>> for shard in x.addressable_shards:                  # rows 0-3 on devices 0 and 1, rows 4-7 on 2 and 3
# ...     print(shard.device.id, shard.index)
# 0 (slice(0, 4, None), slice(None, None, None))
# 1 (slice(0, 4, None), slice(None, None, None))
# 2 (slice(4, 8, None), slice(None, None, None))
# 3 (slice(4, 8, None), slice(None, None, None))
# >>> x.sharding.shard_shape(x.shape), x.sharding.is_fully_replicated
# ((4, 4), False)
# ```
#
# A tuple in a `PartitionSpec` splits one dimension over several mesh axes, major axis first; `P()` replicates.
# The spec stored in `x.sharding` is as short as you wrote it; the **type** of the array, `jax.typeof(x)`, spells
# out every dimension and prints where each is split (`8@data`):
#
# ```python
# >>> y = jax.device_put(jnp.arange(32.0).reshape(8, 4), NamedSharding(mesh, P(("data", "model"))))
# >>> y.sharding.shard_shape(y.shape), [shard.index[0] for shard in y.addressable_shards]
# ((2, 4), [slice(0, 2, None), slice(2, 4, None), slice(4, 6, None), slice(6, 8, None)])
# >>> jax.typeof(x), jax.typeof(x).sharding.spec
# (ShapedArray(float32[8@data,4]), P('data', None))
# >>> w = jax.device_put(jnp.ones(3), NamedSharding(mesh, P()))
# >>> w.shape, w.sharding.is_fully_replicated, len(w.addressable_shards)
# ((3,), True, 4)
# ```
#
# A split must be even, and inside `jax.jit` an array is a tracer with no `.sharding`: ask its type. (And the pmap
# way of copying to every device is gone.)
#
# ```python
# >>> hasattr(jax, "device_put_replicated")
# False
# >>> jax.device_put(jnp.zeros((9, 2)), NamedSharding(mesh, P("data")))
# Traceback (most recent call last):
# ValueError: Sharding spec ('data',) implies that array axis 0 is partitioned 2 times, but does not evenly divide ...
# >>> jax.jit(lambda v: v.sharding)(x)
# Traceback (most recent call last):
# AttributeError: The 'sharding' attribute is not available on traced array with shape float32[8@data,4]. ...
# >>> def show(v):
# ...     print(jax.typeof(v).sharding.spec, jax.typeof(v.T).sharding.spec)
# ...     return v
# >>> _ = jax.jit(show)(x)
# P('data', None) P(None, 'data')
# ```

# %%
def layout_of(x) -> dict:
    """Task sharding.layout_of: describe how an array is laid out on its mesh.

    Args:
        x: an array laid out on a mesh by a ``NamedSharding``, of any rank (0-d included): either a concrete
            ``jax.Array`` (e.g. from ``jax.device_put(value, NamedSharding(mesh, spec))``) or a traced array
            inside ``jax.jit`` on a mesh with Explicit axes, whose type carries its sharding. Both must work.

    Returns:
        A dict of plain Python data (str, int and lists of them; no arrays, no tuples needed):

        - ``"mesh"``: the mesh's axes in mesh order, a list of ``[name, size]`` pairs;
        - ``"spec"``: one entry per dimension of ``x`` (``len(spec) == x.ndim``, also when the
          ``PartitionSpec`` was written shorter): the list of mesh axis names that split the dimension, in
          order, and ``[]`` for a dimension that is not split;
        - ``"shard_shape"``: the shape of the block each device holds, a list of ints;
        - ``"copies"``: on how many devices each block is stored, an int (1 when nothing is replicated).
    """
    ### BEGIN SOLUTION
    # The type knows the sharding for concrete and traced arrays alike; x.sharding only exists on concrete ones.
    sharding = jax.typeof(x).sharding
    mesh = sharding.mesh
    # The type's spec has one entry per dimension; each is None, one axis name, or a tuple of them.
    spec = [[] if entry is None else [entry] if isinstance(entry, str) else list(entry) for entry in sharding.spec]
    spec += [[] for _ in range(jnp.ndim(x) - len(spec))]
    used = {name for names in spec for name in names}
    copies = 1
    for name, size in mesh.shape.items():
        if name not in used:
            copies *= size  # every mesh axis that splits nothing holds copies of the same block
    return {"mesh": [[name, int(size)] for name, size in mesh.shape.items()], "spec": spec,
            "shard_shape": [int(size) for size in sharding.shard_shape(jnp.shape(x))], "copies": int(copies)}
    ### END SOLUTION


# %% checks="sharding.layout_of"
def test_layout_of_rows_on_a_2d_mesh():
    mesh = jax.make_mesh((2, 2), ("data", "model"))
    x = jax.device_put(jnp.zeros((8, 3)), NamedSharding(mesh, P("data")))
    layout = layout_of(x)
    assert layout["spec"] == [["data"], []], f"spec is {layout['spec']}, expected [['data'], []] (one entry per dim)"
    assert layout["shard_shape"] == [4, 3], f"shard_shape is {layout['shard_shape']}, expected [4, 3]"
    assert layout["copies"] == 2, f"copies is {layout['copies']}, expected 2: 'model' splits nothing"
    assert layout["mesh"] == [["data", 2], ["model", 2]], f"mesh is {layout['mesh']}"


def test_layout_of_a_traced_array():
    mesh = jax.make_mesh((4,), ("batch",))
    x = jax.device_put(jnp.zeros((4, 2)), NamedSharding(mesh, P("batch")))
    seen = {}

    def body(v):
        seen["layout"] = layout_of(v.T)
        return v

    jax.jit(body).trace(x)
    assert seen["layout"]["spec"] == [[], ["batch"]], f"layout_of(x.T) inside jit: spec is {seen['layout']['spec']}"
    assert seen["layout"]["shard_shape"] == [2, 1], f"shard_shape is {seen['layout']['shard_shape']}"


# %% [markdown]
# ## Placing a model: tensor parallelism
#
# On a `("data", "model")` mesh, a two-layer MLP splits the Megatron way. The batch rows go over `"data"`. The
# first weight matrix `w1 (d, h)` is split by **columns** over `"model"` (and `b1` with it): each `"model"`
# device computes its own hidden units `relu(x @ w1[:, block] + b1[block])`, with no communication. The second,
# `w2 (h, o)`, is split by **rows** over `"model"`: each device multiplies its hidden units by its rows of `w2`,
# which gives a *partial* sum of the output; one all-reduce over `"model"` adds them up, and `b2`, replicated, is
# added once (you will see both in the compiled programs below). Splitting a dimension over an axis of size 1
# splits nothing: on a `(4, 1)` mesh this is plain data parallelism, on a `(1, 4)` mesh plain tensor parallelism.
#
# `jax.device_put` takes a whole pytree and a pytree of shardings (or one sharding for every leaf):
#
# ```python
# >>> tall = jax.make_mesh((4, 1), ("data", "model"))
# >>> jax.device_put(jnp.ones((3, 4)), NamedSharding(tall, P(None, "model"))).sharding.is_fully_replicated
# True
# >>> placed = jax.device_put({"a": jnp.ones((4, 2)), "b": jnp.ones(2)},
# ...                         {"a": NamedSharding(mesh, P(None, "model")), "b": NamedSharding(mesh, P())})
# >>> jax.tree.map(lambda leaf: leaf.sharding.shard_shape(leaf.shape), placed)
# {'a': (4, 1), 'b': (2,)}
# ```

# %%
def place_mlp(mesh, params: dict, x) -> tuple[dict, jax.Array]:
    """Task sharding.place_mlp: lay out an MLP and its batch on a ("data", "model") mesh, Megatron-style.

    Args:
        mesh: a 2-D mesh with axes ``("data", "model")``, of any shape (``(n, 1)`` and ``(1, n)`` included).
        params: ``{"w1": (d, h), "b1": (h,), "w2": (h, o), "b2": (o,)}``, float32 NumPy or JAX arrays, with
            ``h`` divisible by the size of ``"model"`` (``h`` equal to it included).
        x: the batch, float32 ``(B, d)``, NumPy or JAX, with ``B`` divisible by the size of ``"data"``.

    Returns:
        ``(params_on_mesh, x_on_mesh)``: a dict with the same four keys, and the batch, with the same values and
        dtypes, as ``jax.Array``s laid out on ``mesh`` by a ``NamedSharding``:

        - ``w1`` split by columns (its ``h`` axis) over ``"model"``, and ``b1`` over ``"model"``;
        - ``w2`` split by rows (its ``h`` axis) over ``"model"``;
        - ``b2`` a full copy on every device;
        - ``x`` split by rows over ``"data"``.

        No other dimension is split, and no array is split over any other mesh axis (so what is not split over
        an axis is copied along it).
    """
    ### BEGIN SOLUTION
    def on(*spec):
        return NamedSharding(mesh, P(*spec))

    # Columns of w1 and rows of w2 over "model": layer 1 needs no communication, layer 2 one all-reduce.
    layout = {"w1": on(None, "model"), "b1": on("model"), "w2": on("model", None), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on("data"))
    ### END SOLUTION


# %% checks="sharding.place_mlp"
def test_place_mlp_blocks():
    mesh = jax.make_mesh((2, 2), ("data", "model"))
    params, x = toy_mlp(d=3, h=4, o=2, rows=6)
    placed, rows = place_mlp(mesh, params, x)
    shapes = {name: leaf.sharding.shard_shape(leaf.shape) for name, leaf in placed.items()}
    expected = {"w1": (3, 2), "b1": (2,), "w2": (2, 2), "b2": (2,)}
    assert shapes == expected, f"the blocks each device holds have shapes {shapes}, expected {expected}"
    assert rows.sharding.shard_shape(rows.shape) == (3, 3), f"x blocks: {rows.sharding.shard_shape(rows.shape)}"
    assert np.allclose(placed["w1"], params["w1"]), "the values must not change"


# %% [markdown]
# ## Data parallelism is `jax.jit` on sharded inputs
#
# Hand `jax.jit` arrays laid out on a mesh and it compiles a program that runs on every device of the mesh (SPMD),
# splitting the work the way the inputs are split. The step function is the single-device one, unchanged: no
# per-device view, no `pmean`, no reshaping. A mean over the batch is the mean over **all** rows, so the gradient is
# the full-batch gradient; the compiler sees that each device holds only some rows and inserts the all-reduce that
# `pmean` did by hand. The results come back laid out too: the gradient of replicated parameters is replicated.
#
# ```python
# >>> rows = jax.device_put(jnp.arange(32.0).reshape(8, 4) / 10, NamedSharding(mesh, P("data")))
# >>> weights = jax.device_put(jnp.ones(4), NamedSharding(mesh, P()))
# >>> loss = lambda w, x: jnp.mean((x @ w) ** 2)
# >>> gradient = jax.jit(jax.grad(loss))(weights, rows)
# >>> bool(jnp.allclose(gradient, jax.grad(loss)(np.ones(4), np.arange(32.0).reshape(8, 4) / 10)))
# True
# >>> gradient.sharding.spec, gradient.sharding.is_fully_replicated
# (P(None,), True)
# ```
#
# Where is the all-reduce? `jax.jit(f).lower(...)` gives the program JAX hands to XLA: it only carries sharding
# annotations. The collectives are inserted when XLA partitions the program, so look in the **compiled** text
# (`collectives_in`, given above, lists the kinds it finds):
#
# ```python
# >>> lowered = jax.jit(jax.grad(loss)).lower(weights, rows)
# >>> collectives_in(lowered.as_text()), collectives_in(lowered.compile().as_text())
# ([], ['all-reduce'])
# >>> copies = jax.device_put(rows, NamedSharding(mesh, P()))                 # the whole batch everywhere
# >>> collectives_in(jax.jit(jax.grad(loss)).lower(weights, copies).compile().as_text())
# []
# ```
#
# That last program needs no communication because every device computes the whole step on the whole batch:
# correct numbers, no parallelism. Inside a jitted function, `jax.device_put` with a `NamedSharding` works on traced
# values too: it lays the value out as asked.
#
# ```python
# >>> jax.jit(lambda v: jax.device_put(v, NamedSharding(mesh, P("data"))))(np.ones((4, 2))).sharding.spec
# P('data', None)
# ```

# %%
def data_parallel_step(mesh, params: dict, x, y, lr: float) -> tuple[dict, jax.Array]:
    """Task sharding.data_parallel_step: one full-batch SGD step of the linear model, data-parallel with ``jax.jit``.

    Args:
        mesh: a 2-D mesh with axes ``("data", "model")``, of any shape (``(n, 1)`` and ``(1, n)`` included). Data
            parallelism uses ``"data"`` only: the batch is split over it and copied along ``"model"``.
        params: ``{"w": float32 (d,), "b": float32 ()}``, NumPy or JAX arrays.
        x: float32 ``(B, d)``; y: float32 ``(B,)``: the global batch, NumPy or JAX arrays, ``B`` divisible by the
            size of ``"data"`` (one row per ``"data"`` index included).
        lr: the learning rate, a Python float.

    Returns:
        ``(new_params, losses)``:

        - ``new_params``: ``params - lr * g`` (same structure, float32), with ``g`` the gradient of
          ``jnp.mean(mse_losses(params, x, y))``: the single-device full-batch step. Every leaf is a full copy
          on every device of ``mesh``.
        - ``losses``: float32 ``(B,)``, ``mse_losses(params, x, y)`` (at ``params``, before the update), split by
          rows over ``"data"`` like the batch.

    The step runs under ``jax.jit`` with the batch split over ``"data"`` of ``mesh``: each device works on its
    own rows, so on a mesh whose ``"data"`` axis has more than one device the compiled program holds an
    all-reduce; the batch must not be copied whole onto every device. It must work when called eagerly and
    when called inside ``jax.jit`` (traced ``params``, ``x``, ``y``; ``mesh`` and ``lr`` fixed).
    """
    ### BEGIN SOLUTION
    rows, everywhere = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    x, y = jax.device_put(x, rows), jax.device_put(y, rows)
    params = jax.device_put(params, everywhere)

    def loss(p):
        per_example = mse_losses(p, x, y)
        return jnp.mean(per_example), per_example  # the mean over the global batch: no pmean, no division by n

    @jax.jit
    def step(p):
        (_, per_example), grads = jax.value_and_grad(loss, has_aux=True)(p)
        return jax.tree.map(lambda leaf, grad: leaf - lr * grad, p, grads), per_example

    return step(params)
    ### END SOLUTION


# %% checks="sharding.data_parallel_step"
def test_data_parallel_step_is_the_single_device_step():
    mesh = jax.make_mesh((4, 1), ("data", "model"))
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=8).astype(np.float32)
    params = {"w": np.zeros(3, np.float32), "b": np.float32(0.5)}
    new, losses = data_parallel_step(mesh, params, x, y, 0.1)
    grads = jax.grad(lambda p: jnp.mean(mse_losses(p, x, y)))(params)
    assert np.allclose(new["w"], -0.1 * grads["w"], atol=1e-5), f"new w is {new['w']}, expected {-0.1 * grads['w']}"
    assert np.allclose(losses, mse_losses(params, x, y), atol=1e-5), "losses are not mse_losses at params"
    assert new["w"].sharding.is_fully_replicated, f"new w is laid out as {new['w'].sharding}: expected P()"
    assert losses.sharding.shard_shape(losses.shape) == (2,), "losses must be split by rows over 'data'"


# %% [markdown]
# ## Explicit sharding mode
#
# With `Explicit` mesh axes (what `jax.make_mesh` gives you), sharding is part of an array's **type**: inside
# `jax.jit`, `jax.typeof(v).sharding` is known while tracing, and every operation decides the sharding of its
# result by fixed rules instead of leaving it to the compiler. Where no rule decides, JAX refuses to guess. Layer
# 2 of the tensor-parallel MLP contracts `h (B@data, h@model)` with `w2 (h@model, o)`: both sides are split along
# the contracted dimension, so each device holds a partial sum, and whether the result should end up summed
# and replicated over `"model"` or summed and split is your decision:
#
# ```python
# >>> params, batch = place_mlp(mesh, *toy_mlp())
# >>> jax.jit(mlp)(params, batch)
# Traceback (most recent call last):
# ShardingTypeError: Contracting dimensions are sharded and it is ambiguous how the output should be sharded. ...
# >>> first_layer = jax.jit(lambda p, v: jax.nn.relu(v @ p["w1"] + p["b1"])).lower(params, batch).compile()
# >>> jax.typeof(first_layer(params, batch)), collectives_in(first_layer.as_text())     # layer 1: no communication
# (ShapedArray(float32[8@data,8@model]), [])
# ```
#
# Say where the result lives with `out_sharding=`; `jnp.matmul`, `jnp.dot`, `jnp.einsum` and `lax.dot_general` all
# take it. A bare `P(...)` needs a current mesh: `with jax.set_mesh(mesh):` makes one current (outside `jax.jit`
# only), or build a `NamedSharding` from the type's own mesh, `jax.typeof(h).sharding.mesh`.
# `jax.sharding.reshard(v, spec)` moves a value to another layout explicitly.
#
# ```python
# >>> import inspect
# >>> ["out_sharding" in inspect.signature(f).parameters for f in (jnp.matmul, jnp.dot, jnp.einsum, lax.dot_general)]
# [True, True, True, True]
# >>> def second_layer(h, w2):                      # the partial sums added up, the result split over "model"
# ...     return jnp.matmul(h, w2, out_sharding=P("data", "model"))
# >>> h = jax.device_put(jnp.ones((8, 4)), NamedSharding(mesh, P("data", "model")))
# >>> w2 = jax.device_put(jnp.ones((4, 2)), NamedSharding(mesh, P("model", None)))
# >>> jax.jit(second_layer)(h, w2)
# Traceback (most recent call last):
# ValueError: Using PartitionSpec when you are not under a mesh context is not allowed. ...
# >>> with jax.set_mesh(mesh):
# ...     compiled = jax.jit(second_layer).lower(h, w2).compile()
# ...     out = compiled(h, w2)
# >>> jax.typeof(out), bool(jnp.all(out == 4.0)), collectives_in(compiled.as_text())
# (ShapedArray(float32[8@data,2@model]), True, ['all-reduce'])
# >>> def with_types_mesh(h, w2):
# ...     return jnp.matmul(h, w2, out_sharding=NamedSharding(jax.typeof(h).sharding.mesh, P("data", "model")))
# >>> jax.typeof(jax.jit(with_types_mesh)(h, w2))
# ShapedArray(float32[8@data,2@model])
# >>> jax.jit(lambda v: jax.set_mesh(mesh))(h)
# Traceback (most recent call last):
# ValueError: `set_mesh` can only be used outside of `jax.jit`.
# >>> with jax.set_mesh(mesh):
# ...     jax.typeof(jax.sharding.reshard(w2, P()))
# ShapedArray(float32[4,2])
# ```
#
# Gathering `w2` whole onto every device before the product also gives the right numbers, and an all-gather of
# the weights: that is the communication tensor parallelism exists to avoid.
#
# ```python
# >>> def gathered(h, w2):
# ...     return jnp.matmul(h, jax.sharding.reshard(w2, P()), out_sharding=P("data", "model"))
# >>> with jax.set_mesh(mesh):
# ...     collectives_in(jax.jit(gathered).lower(h, w2).compile().as_text())
# ['all-gather']
# ```
# With **Auto** axes
# (`axis_types=(AxisType.Auto, AxisType.Auto)`) nothing is refused: the compiler picks the layouts and the
# types carry no sharding.
#
# ```python
# >>> auto = jax.make_mesh((2, 2), ("data", "model"), axis_types=(AxisType.Auto, AxisType.Auto))
# >>> h_auto = jax.device_put(jnp.ones((8, 4)), NamedSharding(auto, P("data", "model")))
# >>> w2_auto = jax.device_put(jnp.ones((4, 2)), NamedSharding(auto, P("model", None)))
# >>> jax.typeof(h_auto), jax.jit(jnp.matmul)(h_auto, w2_auto).shape
# (ShapedArray(float32[8,4]), (8, 2))
# ```

# %%
def tp_mlp_forward(params: dict, x: jax.Array) -> jax.Array:
    """Task sharding.tp_mlp_forward: the MLP's forward pass, tensor-parallel in explicit sharding mode.

    Called as ``with jax.set_mesh(mesh): jax.jit(tp_mlp_forward)(params, x)``, where ``mesh`` is a
    ``("data", "model")`` mesh with Explicit axes, of any shape (``(n, 1)`` and ``(1, n)`` included), and
    ``params`` and ``x`` are laid out as ``place_mlp`` lays them out.

    Args:
        params: ``{"w1": (d, h), "b1": (h,), "w2": (h, o), "b2": (o,)}``, float32, on the mesh.
        x: float32 ``(B, d)``, rows split over ``"data"``.

    Returns:
        float32 ``(B, o)``: ``mlp(params, x)``, with its rows split over ``"data"`` and every row block copied
        on each ``"model"`` device (the sharding ``P("data", None)``).

    Keep the tensor parallelism: the hidden activations stay split over ``"model"``, and layer 2's partial
    products are summed over ``"model"`` (an all-reduce). Nothing may be all-gathered, neither weights nor
    activations: the compiled program must hold no all-gather.
    """
    ### BEGIN SOLUTION
    # Layer 1: x (B@data, d) times w1 (d, h@model) splits no contracted dimension: h is (B@data, h@model).
    hidden = jax.nn.relu(x @ params["w1"] + params["b1"])
    # Layer 2 contracts the split h axis: every device holds a partial sum. Asking for P("data", None) makes the
    # compiler add them up over "model" (an all-reduce); b2 is added once, after the sum.
    out = jnp.matmul(hidden, params["w2"], out_sharding=P("data", None))
    return out + params["b2"]
    ### END SOLUTION


# %% checks="sharding.tp_mlp_forward"
def test_tp_mlp_forward_equals_mlp():
    mesh = jax.make_mesh((2, 2), ("data", "model"))
    params, x = toy_mlp(d=3, h=4, o=2, rows=4)
    placed, rows = place_mlp(mesh, params, x)
    with jax.set_mesh(mesh):
        out = jax.jit(tp_mlp_forward)(placed, rows)
    assert np.allclose(out, mlp(params, x), atol=1e-5), f"tp_mlp_forward gave\n{out}\nexpected\n{mlp(params, x)}"
    assert out.sharding.shard_shape(out.shape) == (2, 2), (
        f"the output blocks have shape {out.sharding.shard_shape(out.shape)}, expected (2, 2): P('data', None)")


# %% [markdown]
# ## `shard_map`: pmap, rebuilt
#
# `jax.jit` decides the communication for you; `jax.shard_map` hands you the per-device program, as `pmap` did.
# In fact `jax.pmap` is now a `jax.jit` around a `shard_map`. Look at the program it builds: mapped arguments get
# `P(axis)`, unmapped ones `P()`, the function sees each block with its leading axis squeezed away, and the
# result gets a new leading axis back before the blocks are stacked along `out_specs=P(axis)`:
#
# ```python
# >>> program = jax.make_jaxpr(jax.pmap(lambda v, s: v * s, axis_name="i", in_axes=(0, None)))(jnp.ones((4, 3)), 2.0)
# >>> inner = program.eqns[0].params["jaxpr"].eqns[0]
# >>> inner.primitive.name, inner.params["in_specs"], inner.params["out_specs"], inner.params["check_vma"]
# ('shard_map', (P('i',), P()), (P('i',),), False)
# >>> [eqn.primitive.name for eqn in inner.params["jaxpr"].eqns]
# ['squeeze', 'convert_element_type', 'mul', 'broadcast_in_dim']
# ```
#
# Note `check_vma=False`. With the default `check_vma=True`, `shard_map` tracks which values vary across devices,
# and a `P()` argument is the same on every device, so its gradient is the **sum** of every device's
# contribution (the `pmap` topic's N-times trap). `pmap` semantics, one gradient per device, need `check_vma=False`
# (or arguments that vary: copies along a mapped axis). The modern data-parallel idiom takes the gradient **of** a
# loss that ends in `lax.pmean`. As in the `pmap` topic, an Explicit mesh wants its inputs on the mesh before
# `shard_map` sees them:
#
# ```python
# >>> line = jax.make_mesh((4,), ("i",))
# >>> jax.jit(jax.shard_map(lambda v: 2 * v, mesh=line, in_specs=P("i"), out_specs=P("i")))(jnp.arange(4.0))
# Traceback (most recent call last):
# ValueError: in_specs passed to shard_map: P('i',) does not match the specs of the input: P(None,) ...
# >>> xs = jax.device_put(jnp.array([1.0, 2.0, 3.0, 6.0]), NamedSharding(line, P("i")))
# >>> def per_device_grad(check_vma):
# ...     body = lambda w, x: jax.grad(lambda w: jnp.sum(w * x))(w)[None]
# ...     return jax.jit(jax.shard_map(body, mesh=line, in_specs=(P(), P("i")), out_specs=P("i"), check_vma=check_vma))
# >>> per_device_grad(False)(jnp.float32(1.0), xs)                # each device's own gradient: d(w * x)/dw = x
# Array([1., 2., 3., 6.], dtype=float32)
# >>> per_device_grad(True)(jnp.float32(1.0), xs)                 # already summed over the devices
# Array([12., 12., 12., 12.], dtype=float32)
# >>> copies = jax.device_put(jnp.ones(4), NamedSharding(line, P("i")))     # w copied along the mapped axis: varies
# >>> jax.jit(jax.shard_map(lambda w, x: jax.grad(lambda w: jnp.sum(w * x))(w), mesh=line, in_specs=(P("i"), P("i")),
# ...                       out_specs=P("i")))(copies, xs)
# Array([1., 2., 3., 6.], dtype=float32)
# >>> mean_loss = jax.shard_map(lambda w, x: lax.pmean(jnp.sum(w * x), "i"), mesh=line, in_specs=(P(), P("i")),
# ...                           out_specs=P())
# >>> jax.jit(jax.grad(mean_loss))(jnp.float32(1.0), xs)                   # (1 + 2 + 3 + 6) / 4
# Array(3., dtype=float32)
# ```

# %%
def pmap_on_mesh(f, mesh, in_axes: tuple):
    """Task sharding.pmap_on_mesh: ``jax.pmap`` rebuilt from ``jax.shard_map`` over a given mesh.

    Args:
        f: a per-device function written for ``jax.pmap``: it takes positional arguments, may use collectives
            and ``lax.axis_index`` over the mesh's axis name, may differentiate with ``jax.grad``, and returns a
            pytree of arrays.
        mesh: a 1-D mesh of ``n >= 1`` devices, ``jax.make_mesh((n,), (name,))`` (an Explicit axis); ``f``'s
            collectives use that axis ``name``, whatever it is.
        in_axes: a tuple with one entry per positional argument of ``f``: ``0`` (the argument is a pytree whose
            leaves all have a leading axis of size ``n``; device ``i`` gets slice ``i`` of every leaf) or ``None``
            (the whole argument, the same on every device).

    Returns:
        A function ``g(*args)``, called eagerly with concrete arrays, that returns exactly what
        ``jax.pmap(f, axis_name=name, in_axes=in_axes, devices=list(mesh.devices.flat))(*args)`` returns: ``f``'s
        output pytree with every leaf stacked along a new leading axis of size ``n`` (row ``i`` computed by device
        ``i``), and row ``i`` stored on device ``i`` of ``mesh``. As under ``pmap``, ``jax.grad`` inside ``f`` with
        respect to an unmapped argument is that device's own gradient, not a sum over devices.

    ``g`` must run ``f`` with ``jax.shard_map`` over ``mesh`` (not with ``jax.pmap`` or ``jax.vmap``).
    """
    ### BEGIN SOLUTION
    (axis,) = mesh.axis_names
    specs = tuple(P() if mapped is None else P(axis) for mapped in in_axes)

    def per_device(*blocks):
        # shard_map hands each device a block of the mapped arguments, (1, ...): f expects the slice, (...).
        args = [block if mapped is None else jax.tree.map(lambda leaf: leaf[0], block)
                for block, mapped in zip(blocks, in_axes)]
        # ...and the blocks of the output are stacked along axis 0, so give each result its device axis back.
        return jax.tree.map(lambda leaf: jnp.expand_dims(leaf, 0), f(*args))

    # check_vma=False, as pmap does: no implicit psum in the gradient of the P() (unmapped) arguments.
    mapped_f = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=specs, out_specs=P(axis), check_vma=False))

    def g(*args):
        # Explicit mesh axes: shard_map checks the layout in_specs names, so put every argument there first.
        placed = [jax.device_put(arg, NamedSharding(mesh, spec)) for arg, spec in zip(args, specs)]
        return mapped_f(*placed)

    return g
    ### END SOLUTION


# %% checks="sharding.pmap_on_mesh"
def test_pmap_on_mesh_matches_pmap():
    mesh = jax.make_mesh((4,), ("i",))

    def f(v, s):
        return {"total": lax.psum(v.sum(), "i") * s, "me": lax.axis_index("i")}

    v = jnp.arange(12.0).reshape(4, 3)
    got = pmap_on_mesh(f, mesh, (0, None))(v, 2.0)
    expected = jax.pmap(f, axis_name="i", in_axes=(0, None))(v, 2.0)
    assert got["total"].shape == (4,) and np.allclose(got["total"], expected["total"]), (
        f"total is {got['total']}, expected {expected['total']}")
    assert got["me"].tolist() == [0, 1, 2, 3], f"me is {got['me']}, expected [0, 1, 2, 3]"


# %% [markdown]
# ## Collectives by hand: a ring all-reduce
#
# A classic way to all-reduce over `n` devices is a **ring**: split the vector into `n` chunks; in `n - 1` steps each
# device passes one chunk to its neighbour, which adds its own copy of that chunk before passing it on
# (reduce-scatter: afterwards every device owns one fully summed chunk); then `n - 1` more steps pass the summed
# chunks around until every device has all of them (all-gather). Each device sends `2 (n - 1) / n` times the
# vector, however many devices there are: the bandwidth-optimal all-reduce.
#
# `lax.ppermute(v, axis, perm)` sends `v` from device `i` to device `j` for each `(i, j)` in `perm`. Inside
# `shard_map`, as under `pmap`, a device that receives nothing gets zeros; a ring is a full permutation:
#
# ```python
# >>> def on_line(f):
# ...     return jax.jit(jax.shard_map(f, mesh=line, in_specs=P("i"), out_specs=P("i")))
# >>> numbers = jax.device_put(jnp.arange(8.0), NamedSharding(line, P("i")))         # device k holds [2k, 2k + 1]
# >>> on_line(lambda v: lax.ppermute(v, "i", [(0, 1), (1, 2), (2, 3)]))(numbers)
# Array([0., 0., 0., 1., 2., 3., 4., 5.], dtype=float32)
# >>> on_line(lambda v: lax.ppermute(v, "i", [(k, (k + 1) % 4) for k in range(4)]))(numbers)
# Array([6., 7., 0., 1., 2., 3., 4., 5.], dtype=float32)
# >>> on_line(lambda v: lax.psum(v, "i"))(numbers)            # every device: [0+2+4+6, 1+3+5+7]
# Array([12., 16., 12., 16., 12., 16., 12., 16.], dtype=float32)
# ```
#
# The axis index of a device is a traced value: pick a chunk with it by indexing (`chunks[k]`) or
# `lax.dynamic_slice`, not with a Python `if`. `lax.axis_index` and `jax.random.fold_in` work in `shard_map` as they
# did under `pmap`, and `jax.vmap(..., axis_name=...)` runs the same per-device code without devices, for any
# number of them:
#
# ```python
# >>> on_line(lambda v: v * 0 + lax.axis_index("i"))(numbers)
# Array([0., 0., 1., 1., 2., 2., 3., 3.], dtype=float32)
# >>> on_line(lambda v: v if lax.axis_index("i") == 0 else -v)(numbers)
# Traceback (most recent call last):
# TracerBoolConversionError: Attempted boolean conversion of traced array with shape bool[]...
# >>> draws = on_line(lambda v: jax.random.uniform(jax.random.fold_in(jax.random.key(0), lax.axis_index("i")), (2,)))
# >>> len(set(np.asarray(draws(numbers)).tolist()))                        # 8 different numbers
# 8
# >>> jax.vmap(lambda v: lax.psum(v, "ring"), axis_name="ring")(jnp.arange(6.0))
# Array([15., 15., 15., 15., 15., 15.], dtype=float32)
# ```

# %%
def ring_all_reduce(x: jax.Array, axis_name: str) -> jax.Array:
    """Task sharding.ring_all_reduce: ``lax.psum(x, axis_name)`` built from ``lax.ppermute`` around a ring.

    Written per device: called under ``jax.shard_map`` over a 1-D mesh whose axis is ``axis_name``, and under
    ``jax.vmap(..., axis_name=axis_name)``, for any number of devices ``n >= 1`` (``n == 1`` included).

    Args:
        x: this device's float32 vector, shape ``(L,)``, ``L`` divisible by ``n`` (``L == n``, chunks of one
            value, included).
        axis_name: the name of the mapped axis, a str.

    Returns:
        float32 ``(L,)``: the sum of every device's ``x``, on every device (``lax.psum(x, axis_name)`` up to
        float rounding).

    The algorithm is the bandwidth-optimal ring: ``x`` is cut into ``n`` chunks of ``L // n`` values; ``n - 1``
    steps of reduce-scatter around the ring, then ``n - 1`` steps of all-gather. Communicate only with
    ``lax.ppermute``, one chunk (``L // n`` values) per message: no ``lax.psum``, ``pmean``, ``all_gather``,
    ``psum_scatter``, ``all_to_all`` or other collective.
    """
    ### BEGIN SOLUTION
    n = lax.axis_size(axis_name)
    me = lax.axis_index(axis_name)
    chunks = x.reshape(n, -1)
    to_next = [(i, (i + 1) % n) for i in range(n)]
    # Reduce-scatter: device i starts with its chunk i; at step s it receives from i - 1 the partial sum of chunk
    # (i - s) mod n and adds its own copy. After n - 1 steps it holds the full sum of chunk (i + 1) mod n.
    partial = chunks[me]
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, to_next) + chunks[(me - step) % n]
    # All-gather: pass the summed chunks on around the ring, filling in the one that arrives at each step.
    summed = jnp.zeros_like(chunks).at[(me + 1) % n].set(partial)
    for step in range(1, n):
        partial = lax.ppermute(partial, axis_name, to_next)
        summed = summed.at[(me + 1 - step) % n].set(partial)
    return summed.reshape(x.shape)
    ### END SOLUTION


# %% checks="sharding.ring_all_reduce"
def test_ring_all_reduce_equals_psum():
    values = jnp.arange(32.0).reshape(4, 8) ** 1.5 / 10
    out = jax.vmap(ring_all_reduce, in_axes=(0, None), axis_name="ring")(values, "ring")
    expected = jnp.broadcast_to(values.sum(0), (4, 8))
    assert np.allclose(out, expected, rtol=1e-5), f"ring_all_reduce under vmap gave\n{out}\nexpected\n{expected}"


# %% [markdown]
# ## Sharding the optimizer: ZeRO with `psum_scatter` and `all_gather`
#
# Data parallelism keeps a full copy of the parameters **and** of the optimizer state on every device. ZeRO
# stores the optimizer state split: device `i` owns rows `i * R / n` to `(i + 1) * R / n` of the momentum. A step
# then needs each device to hold only *its* rows of the averaged gradient, which is exactly a reduce-scatter,
# and, after each device has updated its rows of the parameters, an all-gather puts the full parameters back on
# every device. The communication is the two phases of the ring all-reduce above: the saving is memory.
#
# With `tiled=True` both work on an existing axis: `lax.psum_scatter` **sums** (it does not average) and returns
# the device's `1 / n` of the rows; `lax.all_gather` concatenates every device's block in device order.
#
# ```python
# >>> blocks = jax.device_put(jnp.arange(32.0).reshape(16, 2), NamedSharding(line, P("i")))   # 4 rows each
# >>> scatter = jax.shard_map(lambda b: lax.psum_scatter(b, "i", scatter_dimension=0, tiled=True), mesh=line,
# ...                         in_specs=P("i"), out_specs=P("i"))
# >>> jax.jit(scatter)(blocks)           # device k: row k of the sum of the four (4, 2) blocks
# Array([[48., 52.],
#        [56., 60.],
#        [64., 68.],
#        [72., 76.]], dtype=float32)
# >>> gather = jax.shard_map(lambda b: lax.all_gather(b, "i", axis=0, tiled=True), mesh=line, in_specs=P("i"),
# ...                        out_specs=P("i"))
# >>> jax.jit(gather)(numbers).addressable_shards[2].data       # device 2 has all four blocks, in order
# Array([0., 1., 2., 3., 4., 5., 6., 7.], dtype=float32)
# >>> jax.jit(jax.shard_map(lambda b: lax.all_gather(b, "i"), mesh=line, in_specs=P("i"), out_specs=P("i")))(
# ...     numbers).shape                                   # tiled=False stacks on a new axis: (4, 2) per device
# (16, 2)
# ```

# %%
def zero_momentum_step(params: jax.Array, grads: jax.Array, momentum: jax.Array, lr: float, beta: float,
                       axis_name: str) -> tuple[jax.Array, jax.Array]:
    """Task sharding.zero_momentum_step: an SGD-with-momentum step whose optimizer state is sharded (ZeRO).

    Written per device: called under ``jax.shard_map`` over a 1-D mesh whose axis is ``axis_name``, and under
    ``jax.vmap(..., axis_name=axis_name)``, for any number of devices ``n >= 1``.

    Args:
        params: float32 ``(R, C)``, the full parameters, the same on every device; ``R`` divisible by ``n``
            (``R == n``, one row per device, included).
        grads: float32 ``(R, C)``, this device's gradient (from its own part of the batch): different on every
            device.
        momentum: float32 ``(R // n, C)``: device ``i``'s rows of the momentum, rows ``i * R // n`` to
            ``(i + 1) * R // n - 1``.
        lr, beta: the learning rate and the momentum coefficient, Python floats.
        axis_name: the name of the mapped axis, a str.

    Returns:
        ``(new_params, new_momentum)``. With ``g`` the **mean** of ``grads`` over the devices and ``rows_i``
        device ``i``'s rows: ``new_momentum = beta * momentum + g[rows_i]``, float32 ``(R // n, C)``; device ``i``
        updates its rows ``params[rows_i] - lr * new_momentum``, and ``new_params``, float32 ``(R, C)``, holds every
        device's updated rows in order, the same on every device.

    Communicate with ``lax.psum_scatter`` (the gradients) and ``lax.all_gather`` (the updated rows) only: no
    ``lax.psum`` or ``lax.pmean`` (no device ever holds the whole averaged gradient), no other collective.
    """
    ### BEGIN SOLUTION
    n = lax.axis_size(axis_name)
    rows = momentum.shape[0]
    # Reduce-scatter: this device receives only its rows of the summed gradient. It sums: divide for the mean.
    my_grads = lax.psum_scatter(grads, axis_name, scatter_dimension=0, tiled=True) / n
    new_momentum = beta * momentum + my_grads
    my_params = lax.dynamic_slice_in_dim(params, lax.axis_index(axis_name) * rows, rows) - lr * new_momentum
    # All-gather the updated rows, concatenated in device order along the row axis.
    return lax.all_gather(my_params, axis_name, axis=0, tiled=True), new_momentum
    ### END SOLUTION


# %% checks="sharding.zero_momentum_step"
def test_zero_momentum_step_under_vmap():
    n, params = 2, jnp.arange(8.0).reshape(4, 2)
    grads = jnp.stack([jnp.ones((4, 2)), 3 * jnp.ones((4, 2))])        # mean gradient: 2 everywhere
    momentum = jnp.ones((n, 2, 2))
    step = jax.vmap(zero_momentum_step, in_axes=(None, 0, 0, None, None, None), axis_name="z")
    new_params, new_momentum = step(params, grads, momentum, 0.1, 0.5, "z")
    assert new_momentum.shape == (n, 2, 2) and np.allclose(new_momentum, 2.5), (
        f"new momentum is\n{new_momentum}\nexpected 0.5 * 1 + 2 = 2.5 everywhere")
    assert new_params.shape == (n, 4, 2) and np.allclose(new_params, params - 0.25), (
        f"new params are\n{new_params}\nexpected params - 0.1 * 2.5 on both devices")


# %% [markdown]
# ## Try it
#
# Lay out a small MLP on a 2 x 2 mesh, run it tensor-parallel, and see what the compiler added.

# %%
if __name__ == "__main__":
    try:
        demo_mesh = jax.make_mesh((2, 2), ("data", "model"))
        demo_params, demo_x = toy_mlp()
        on_mesh, rows_on_mesh = place_mlp(demo_mesh, demo_params, demo_x)
        for leaf_name, leaf in on_mesh.items():
            print(leaf_name, layout_of(leaf))
        with jax.set_mesh(demo_mesh):
            program = jax.jit(tp_mlp_forward).lower(on_mesh, rows_on_mesh).compile()
            result = program(on_mesh, rows_on_mesh)
        print("collectives:", collectives_in(program.as_text()), "output:", jax.typeof(result))
        print("equals the single-device MLP:", bool(np.allclose(result, mlp(demo_params, demo_x), atol=1e-5)))
    except NotImplementedError:
        print("Finish layout_of, place_mlp and tp_mlp_forward to run the tensor-parallel MLP.")
