"""Dividing by the count before this observation."""
TASK = "gotchas.running_mean_step"
EXPECT = "/means"

def running_mean_step(state, x):
    total = state["total"] + x
    return {"count": state["count"] + 1, "total": total}, total / state["count"]
