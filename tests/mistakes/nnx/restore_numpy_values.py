"""Converts the restored arrays to NumPy before merging: the model no longer holds jax.Arrays."""
TASK = "nnx.restore_model"
EXPECT = "not jax.Arrays"


def restore_model(path, channels, num_classes, dropout_rate):
    abstract = nnx.eval_shape(lambda: make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0)))
    graphdef, abstract_state = nnx.split(abstract)
    with ocp.StandardCheckpointer() as checkpointer:
        state = checkpointer.restore(path, abstract_state)
    state = jax.tree.map(lambda a: a if jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key) else np.asarray(a), state)
    model = nnx.merge(graphdef, state)
    model.eval()
    return model
