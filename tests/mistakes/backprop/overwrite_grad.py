"""Assigning child.grad instead of adding to it: a value used twice keeps only its last term."""
TASK = "backprop.propagate"
EXPECT = 'exactly the new term'


def propagate(node):
    g = node.grad
    if node.op == "+":
        for child in node.children:
            child.grad = g
    elif node.op == "*":
        a, b = node.children
        a.grad = b.data * g
        b.grad = a.data * g
    elif node.op == "**":
        (a,) = node.children
        a.grad = node.exponent * a.data ** (node.exponent - 1) * g
    elif node.op == "tanh":
        node.children[0].grad = (1.0 - node.data ** 2) * g
    elif node.op == "exp":
        node.children[0].grad = node.data * g
    elif node.op == "log":
        node.children[0].grad = g / node.children[0].data
    elif node.op == "relu":
        node.children[0].grad = (1.0 if node.children[0].data > 0 else 0.0) * g
