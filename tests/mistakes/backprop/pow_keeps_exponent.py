"""The power rule with the exponent unchanged: k * x**k instead of k * x**(k - 1)."""
TASK = "backprop.propagate"
EXPECT = '`pow_int/a`'


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
        a.grad += node.exponent * a.data ** node.exponent * g
    elif node.op == "tanh":
        (a,) = node.children
        a.grad += (1.0 - node.data ** 2) * g
    elif node.op == "exp":
        (a,) = node.children
        a.grad += node.data * g
    elif node.op == "log":
        (a,) = node.children
        a.grad += g / a.data
    elif node.op == "relu":
        (a,) = node.children
        a.grad += (1.0 if a.data > 0 else 0.0) * g
