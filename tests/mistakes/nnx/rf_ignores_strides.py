"""Strides ignored: right for stride-1 stacks only."""
TASK = "nnx.receptive_field"
EXPECT = "receptive_field(["


def receptive_field(kernel_sizes, strides):
    return 1 + sum(size - 1 for size in kernel_sizes)
