# Generated from solutions/sharding.py (sha256 e4ad258351c2) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `sharding`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from sharding import *  # noqa: F401,F403  (the functions you write)


# Task sharding.layout_of
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


# Task sharding.place_mlp
def test_place_mlp_blocks():
    mesh = jax.make_mesh((2, 2), ("data", "model"))
    params, x = toy_mlp(d=3, h=4, o=2, rows=6)
    placed, rows = place_mlp(mesh, params, x)
    shapes = {name: leaf.sharding.shard_shape(leaf.shape) for name, leaf in placed.items()}
    expected = {"w1": (3, 2), "b1": (2,), "w2": (2, 2), "b2": (2,)}
    assert shapes == expected, f"the blocks each device holds have shapes {shapes}, expected {expected}"
    assert rows.sharding.shard_shape(rows.shape) == (3, 3), f"x blocks: {rows.sharding.shard_shape(rows.shape)}"
    assert np.allclose(placed["w1"], params["w1"]), "the values must not change"


# Task sharding.data_parallel_step
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


# Task sharding.tp_mlp_forward
def test_tp_mlp_forward_equals_mlp():
    mesh = jax.make_mesh((2, 2), ("data", "model"))
    params, x = toy_mlp(d=3, h=4, o=2, rows=4)
    placed, rows = place_mlp(mesh, params, x)
    with jax.set_mesh(mesh):
        out = jax.jit(tp_mlp_forward)(placed, rows)
    assert np.allclose(out, mlp(params, x), atol=1e-5), f"tp_mlp_forward gave\n{out}\nexpected\n{mlp(params, x)}"
    assert out.sharding.shard_shape(out.shape) == (2, 2), (
        f"the output blocks have shape {out.sharding.shard_shape(out.shape)}, expected (2, 2): P('data', None)")


# Task sharding.pmap_on_mesh
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


# Task sharding.ring_all_reduce
def test_ring_all_reduce_equals_psum():
    values = jnp.arange(32.0).reshape(4, 8) ** 1.5 / 10
    out = jax.vmap(ring_all_reduce, in_axes=(0, None), axis_name="ring")(values, "ring")
    expected = jnp.broadcast_to(values.sum(0), (4, 8))
    assert np.allclose(out, expected, rtol=1e-5), f"ring_all_reduce under vmap gave\n{out}\nexpected\n{expected}"


# Task sharding.zero_momentum_step
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
