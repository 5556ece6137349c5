"""`step or latest`: step 0 is falsy, so asking for checkpoint 0 restores the latest one."""
TASK = "checkpointing.restore_state"
EXPECT = "returned the state saved at step"


def restore_state(mngr, template, step=None):
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, template)
    return mngr.restore(step or mngr.latest_step(), args=ocp.args.StandardRestore(abstract))
