"""Propagate, then recurse into the children: a shared node passes its gradient on before it is complete."""
TASK = "backprop.backward"
EXPECT = 'more than once'


def backward(root):
    root.grad = 1.0

    def visit(node):
        propagate(node)
        for child in node.children:
            visit(child)

    visit(root)
