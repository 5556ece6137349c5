"""tanh's derivative written with the input x instead of the output tanh(x): 1 - x**2."""
TASK = "backprop.propagate"
EXPECT = '`tanh/a`'


def propagate(node):
    g = node.grad
    if node.op == "+":
        for child in node.children:
            child.grad += g
    elif node.op == "*":
        a, b = node.children
        a.grad += b.data * g
        b.grad += a.data * g
    elif node.op == "**":
        (a,) = node.children
        a.grad += node.exponent * a.data ** (node.exponent - 1) * g
    elif node.op == "tanh":
        (a,) = node.children
        a.grad += (1.0 - a.data ** 2) * g
    elif node.op == "exp":
        (a,) = node.children
        a.grad += node.data * g
    elif node.op == "log":
        (a,) = node.children
        a.grad += g / a.data
    elif node.op == "relu":
        (a,) = node.children
        a.grad += (1.0 if a.data > 0 else 0.0) * g
