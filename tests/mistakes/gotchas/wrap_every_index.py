"""Wrapping every index modulo n: nothing is ever out of bounds."""
TASK = "gotchas.safe_take"
EXPECT = "`edges`"

def safe_take(x, idx, fill):
    return x[idx % x.shape[0]]
