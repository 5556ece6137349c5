"""The directory is handed to Orbax as given: a relative path fails later, in the background save."""
TASK = "checkpointing.make_manager"
EXPECT = "Orbax needs an absolute directory"


def make_manager(directory, max_to_keep):
    return ocp.CheckpointManager(directory, options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep))
