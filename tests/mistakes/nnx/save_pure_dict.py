"""Saves a pure dict of arrays instead of the State: another layout on disk than the one restore_model reads."""
TASK = "nnx.save_model"
EXPECT = "the checkpoint has no"


def save_model(model, path):
    with ocp.StandardCheckpointer() as checkpointer:
        checkpointer.save(path, nnx.state(model).to_pure_dict())
        checkpointer.wait_until_finished()
