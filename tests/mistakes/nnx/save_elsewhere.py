"""Saves into a folder inside path instead of path itself."""
TASK = "nnx.save_model"
EXPECT = "could not restore a checkpoint at path"


def save_model(model, path):
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(os.path.join(path, "state"), nnx.state(model))
        checkpointer.wait_until_finished()
