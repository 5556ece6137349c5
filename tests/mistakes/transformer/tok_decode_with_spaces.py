"""decode joins the characters with spaces."""
TASK = "transformer.char_tokenizer"
EXPECT = "`long/decoded/jax`"

def char_tokenizer(text):
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}

    def encode(s):
        return jnp.asarray([index[c] for c in s], dtype=jnp.int32)

    def decode(ids):
        return " ".join(chars[int(i)] for i in np.asarray(ids).reshape(-1))

    return chars, encode, decode
