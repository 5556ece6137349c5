"""best_fn without max_to_keep: the best step is known, but every checkpoint stays."""
TASK = "checkpointing.make_best_manager"
EXPECT = "the checkpoints on disk"


def make_best_manager(directory, keep, metric):
    options = ocp.CheckpointManagerOptions(best_fn=lambda m: m[metric], best_mode="max")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
