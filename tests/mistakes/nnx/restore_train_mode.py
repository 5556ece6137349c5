"""Returns the merged model in the training mode eval_shape built it in."""
TASK = "nnx.restore_model"
EXPECT = "in the mode restore_model returned it in"


def restore_model(path, channels, num_classes, dropout_rate):
    abstract = nnx.eval_shape(lambda: make_cnn(channels, num_classes, dropout_rate, nnx.Rngs(0)))
    graphdef, abstract_state = nnx.split(abstract)
    with ocp.StandardCheckpointer() as checkpointer:
        state = checkpointer.restore(path, abstract_state)
    return nnx.merge(graphdef, state)
