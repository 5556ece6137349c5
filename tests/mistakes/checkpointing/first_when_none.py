"""With step None, restores the first checkpoint on disk instead of the latest."""
TASK = "checkpointing.restore_state"
EXPECT = "with step None, restore mngr.latest_step()"


def restore_state(mngr, template, step=None):
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, template)
    return mngr.restore(list(mngr.all_steps())[0] if step is None else step, args=ocp.args.StandardRestore(abstract))
