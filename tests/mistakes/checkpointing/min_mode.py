"""best_mode='min' for a score: the worst checkpoints are kept."""
TASK = "checkpointing.make_best_manager"
EXPECT = "higher is better here"


def make_best_manager(directory, keep, metric):
    options = ocp.CheckpointManagerOptions(max_to_keep=keep, best_fn=lambda m: m[metric], best_mode="min")
    return ocp.CheckpointManager(os.path.abspath(directory), options=options)
