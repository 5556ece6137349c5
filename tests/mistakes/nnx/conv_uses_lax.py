"""Hands the work to lax.conv_general_dilated instead of building the patches."""
TASK = "nnx.conv2d"
EXPECT = "conv_general_dilated primitive"


def conv2d(x, kernel, strides, padding):
    return jax.lax.conv_general_dilated(x, kernel, strides, padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))
