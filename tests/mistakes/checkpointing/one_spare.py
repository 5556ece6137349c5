"""One checkpoint more than asked "to be safe": max_to_keep + 1 stay on disk."""
TASK = "checkpointing.make_manager"
EXPECT = "The checkpoints on disk"


def make_manager(directory, max_to_keep):
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep + 1)
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
