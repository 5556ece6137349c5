"""Patches from lax.conv_general_dilated_patches: a convolution routine in disguise."""
TASK = "nnx.conv2d"
EXPECT = "conv_general_dilated primitive"


def conv2d(x, kernel, strides, padding):
    kh, kw, c_in, c_out = kernel.shape
    patches = jax.lax.conv_general_dilated_patches(x, (kh, kw), strides, padding,
                                                   dimension_numbers=("NHWC", "HWIO", "NHWC"))
    # conv_general_dilated_patches orders each patch as (c_in, kh, kw).
    return jnp.einsum("nhwp,po->nhwo", patches, kernel.transpose(2, 0, 1, 3).reshape(c_in * kh * kw, c_out))
