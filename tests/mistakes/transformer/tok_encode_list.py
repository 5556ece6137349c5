"""encode returns a Python list of ids."""
TASK = "transformer.char_tokenizer"
EXPECT = "encode returns a jax.Array"

def char_tokenizer(text):
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}

    def encode(s):
        return [index[c] for c in s]

    def decode(ids):
        return "".join(chars[int(i)] for i in np.asarray(ids).reshape(-1))

    return chars, encode, decode
