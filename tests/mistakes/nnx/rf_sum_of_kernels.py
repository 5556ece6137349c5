"""Adds up the kernel sizes."""
TASK = "nnx.receptive_field"
EXPECT = "receptive_field(["


def receptive_field(kernel_sizes, strides):
    return sum(kernel_sizes)
