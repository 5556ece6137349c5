"""Assigning into the caller's state dict."""
TASK = "gotchas.running_mean_step"
EXPECT = "modified the state dict"


def running_mean_step(state, x):
    state["count"] = state["count"] + 1
    state["total"] = state["total"] + x
    return state, state["total"] / state["count"]
