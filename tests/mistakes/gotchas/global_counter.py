"""A global counter instead of threading the count through the state."""
TASK = "gotchas.running_mean_step"
EXPECT = "changed the module global"

_calls = 0


def running_mean_step(state, x):
    global _calls
    _calls += 1
    total = state["total"] + x
    return {"count": state["count"] + 1, "total": total}, total / _calls
