"""No dtype: the empty string encodes to a float32 array."""
TASK = "transformer.char_tokenizer"
EXPECT = "dtype float32, expected int32"

def char_tokenizer(text):
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}

    def encode(s):
        return jnp.asarray([index[c] for c in s])

    def decode(ids):
        return "".join(chars[int(i)] for i in np.asarray(ids).reshape(-1))

    return chars, encode, decode
