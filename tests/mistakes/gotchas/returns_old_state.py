"""Returning the state it was given instead of the new one."""
TASK = "gotchas.running_mean_step"
EXPECT = "fresh_scalar/"

def running_mean_step(state, x):
    count, total = state["count"] + 1, state["total"] + x
    return state, total / count
