"""Forgets the single position a stack of no layer (or of 1x1 kernels) sees."""
TASK = "nnx.receptive_field"
EXPECT = "receptive_field(["


def receptive_field(kernel_sizes, strides):
    field, jump = 0, 1
    for size, stride in zip(kernel_sizes, strides):
        field += (size - 1) * jump
        jump *= stride
    return field
