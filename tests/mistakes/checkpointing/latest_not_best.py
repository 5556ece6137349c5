"""No best_fn: max_to_keep keeps the latest checkpoints, whatever their metrics."""
TASK = "checkpointing.make_best_manager"
EXPECT = "kept the latest checkpoints"


def make_best_manager(directory, keep, metric):
    return ocp.CheckpointManager(os.path.abspath(directory), options=ocp.CheckpointManagerOptions(max_to_keep=keep))
