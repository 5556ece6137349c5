"""Builds a real model (a full initialisation thrown away) and restores into its state: right values, the
abstract target skipped."""
TASK = "nnx.restore_model"
EXPECT = "outside nnx.eval_shape"


def restore_model(path, channels, num_classes, dropout_rate):
    model = make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0))
    with ocp.StandardCheckpointer() as checkpointer:
        nnx.update(model, checkpointer.restore(path, nnx.state(model)))
    model.eval()
    return model
