"""tanh's derivative written with the input x instead of the output tanh(x): 1 - x**2."""
TASK = "backprop.propagate"
EXPECT = "at `tanh`"

_reference_propagate = propagate


def propagate(node):
    if node.op == "tanh":
        (a,) = node.children
        a.grad += (1.0 - a.data ** 2) * node.grad
    else:
        _reference_propagate(node)
