"""Multiplies each layer's growth by its own stride too."""
TASK = "nnx.receptive_field"
EXPECT = "receptive_field(["


def receptive_field(kernel_sizes, strides):
    field, jump = 1, 1
    for size, stride in zip(kernel_sizes, strides):
        jump *= stride
        field += (size - 1) * jump
    return field
