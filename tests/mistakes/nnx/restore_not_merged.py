"""Restores into the abstract state but returns the abstract model, never filled."""
TASK = "nnx.restore_model"
EXPECT = "not jax.Arrays"


def restore_model(path, channels, num_classes, dropout_rate):
    model = nnx.eval_shape(lambda: make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0)))
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.restore(path, nnx.state(model))
    model.eval()
    return model
