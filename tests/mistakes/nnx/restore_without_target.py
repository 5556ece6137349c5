"""Restores without a target and updates the abstract model with the plain dicts Orbax returns."""
TASK = "nnx.restore_model"
EXPECT = "not jax.Arrays"


def restore_model(path, channels, num_classes, dropout_rate):
    model = nnx.eval_shape(lambda: make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0)))
    with ocp.StandardCheckpointer() as checkpointer:
        nnx.update(model, checkpointer.restore(path))
    model.eval()
    return model
