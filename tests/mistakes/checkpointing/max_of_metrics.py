"""Ranks by the largest of all the metrics recorded, not by the named one: the count recorded beside the score
decides which checkpoints are kept."""
TASK = "checkpointing.make_best_manager"
EXPECT = "the checkpoints on disk"


def make_best_manager(directory, keep, metric):
    options = ocp.CheckpointManagerOptions(max_to_keep=keep, best_fn=lambda m: max(m.values()), best_mode="max")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
