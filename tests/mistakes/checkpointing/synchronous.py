"""Asynchronous saving switched off "to be safe": the docstring keeps it on."""
TASK = "checkpointing.make_manager"
EXPECT = "saves synchronously"


def make_manager(directory, max_to_keep):
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, enable_async_checkpointing=False)
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
