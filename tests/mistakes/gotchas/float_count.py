"""Counting in float32: the state's dtype changes from step to step."""
TASK = "gotchas.running_mean_step"
EXPECT = "dtype float32, expected int32"

def running_mean_step(state, x):
    count = state["count"] + 1.0
    total = state["total"] + x
    return {"count": count, "total": total}, total / count
