"""Saves the Params only: the batch statistics and the RNG state are lost."""
TASK = "nnx.save_model"
EXPECT = "the checkpoint has no"


def save_model(model, path):
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, nnx.state(model, nnx.Param))
        checkpointer.wait_until_finished()
