"""Returns while Orbax is still writing in the background."""
TASK = "nnx.save_model"
EXPECT = "not complete yet"


def save_model(model, path):
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(path, nnx.state(model))
