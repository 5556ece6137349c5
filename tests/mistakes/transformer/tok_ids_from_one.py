"""Ids counted from 1, as if 0 were reserved."""
TASK = "transformer.char_tokenizer"
EXPECT = "`long/encoded/text`"

def char_tokenizer(text):
    chars = sorted(set(text))
    index = {c: i + 1 for i, c in enumerate(chars)}

    def encode(s):
        return jnp.asarray([index[c] for c in s], dtype=jnp.int32)

    def decode(ids):
        return "".join(chars[int(i) - 1] for i in np.asarray(ids).reshape(-1))

    return chars, encode, decode
