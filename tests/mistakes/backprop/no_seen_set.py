"""A depth-first search without a `seen` set: a shared node is listed, and propagated, once per path."""
TASK = "backprop.backward"
EXPECT = 'more than once'


def backward(root):
    order = []

    def visit(node):
        for child in node.children:
            visit(child)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        propagate(node)
