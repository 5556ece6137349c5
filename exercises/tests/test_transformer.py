# Generated from solutions/transformer.py (sha256 4f412d5f3cdd) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `transformer`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from transformer import *  # noqa: F401,F403  (the functions you write)


# Task transformer.einsum_drills
def test_einsum_drills_small_example():
    a = jnp.arange(12.0).reshape(2, 2, 3)
    b = jnp.arange(12.0).reshape(2, 3, 2)
    x, w, y = jnp.array([[1.0, 2.0]]), jnp.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]), jnp.array([[1.0, 1.0, 1.0]])
    q, k = jnp.ones((1, 2, 1, 3)), jnp.arange(9.0).reshape(1, 3, 1, 3)
    m = jnp.arange(18.0).reshape(2, 3, 3)
    got = einsum_drills(a, b, x, w, y, q, k, m)
    assert jnp.allclose(got["batched_matmul"], jnp.stack([a[0] @ b[0], a[1] @ b[1]])), (
        f"batched_matmul is\n{got['batched_matmul']}\nexpected a[c] @ b[c] for each c")
    assert jnp.allclose(got["bilinear"], jnp.array([5.0])), f"bilinear is {got['bilinear']}, expected [5.]"
    assert got["scores"].shape == (1, 1, 2, 3), f"scores has shape {got['scores'].shape}, expected (1, 1, 2, 3)"
    assert jnp.allclose(got["scores"][0, 0], jnp.array([[3.0, 12.0, 21.0]] * 2)), f"scores are {got['scores']}"
    assert jnp.allclose(got["trace"], jnp.array([12.0, 39.0])), f"trace is {got['trace']}, expected [12., 39.]"


# Task transformer.layer_norm
def test_layer_norm_matches_the_formula():
    x = jnp.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    got = layer_norm(x, jnp.array([1.0, 2.0, 0.5]), jnp.array([0.0, 1.0, -1.0]), 0.1)
    expected = jnp.array([[-1.0362556, 0.48187202, -0.35234034], [0.0, 1.0, -1.0]])
    assert jnp.allclose(got, expected, atol=1e-5), f"layer_norm returned\n{got}\nexpected\n{expected}"


def test_layer_norm_of_one_feature_is_the_bias():
    got = layer_norm(jnp.array([[5.0], [-2.0]]), jnp.array([3.0]), jnp.array([0.25]), 1e-5)
    assert jnp.allclose(got, 0.25), f"layer_norm of a single feature returned {got.ravel()}, expected the bias 0.25"


# Task transformer.causal_attention
def test_causal_attention_first_position_sees_only_itself():
    q = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    k = jnp.array([[1.0, 0.0], [0.0, 2.0], [1.0, -1.0]])
    v = jnp.array([[1.0], [2.0], [4.0]])
    out, weights = causal_attention(q, k, v)
    assert weights.shape == (3, 3) and out.shape == (3, 1), f"shapes {out.shape} and {weights.shape}"
    assert jnp.allclose(weights[0], jnp.array([1.0, 0.0, 0.0])), f"row 0 of the weights is {weights[0]}, expected [1, 0, 0]"
    assert jnp.allclose(jnp.triu(weights, 1), 0.0), f"weights above the diagonal must be 0:\n{weights}"
    assert jnp.allclose(weights.sum(-1), 1.0), f"each row of the weights must sum to 1, got {weights.sum(-1)}"
    second = jax.nn.softmax(jnp.array([0.0, 2.0]) / jnp.sqrt(2.0))
    assert jnp.allclose(weights[1, :2], second), f"row 1 is {weights[1]}, expected {second} then 0"
    assert jnp.allclose(out, weights @ v), "out must be weights @ v"


# Task transformer.multi_head_attention
def test_multi_head_attention_with_one_head_is_causal_attention():
    x = jax.random.normal(jax.random.key(0), (2, 3, 4))
    w = jax.random.normal(jax.random.key(1), (4, 4, 4)) / 2.0
    params = {"wq": w[0], "wk": w[1], "wv": w[2], "wo": w[3]}
    got = multi_head_attention(params, x, 1)
    expected = causal_attention(x @ w[0], x @ w[1], x @ w[2])[0] @ w[3]
    assert got.shape == (2, 3, 4), f"multi_head_attention returned shape {got.shape}, expected (2, 3, 4)"
    assert jnp.allclose(got, expected, atol=1e-5), "with one head the result must be causal attention, projected by wo"


def test_multi_head_attention_heads_own_consecutive_columns():
    x = jax.random.normal(jax.random.key(2), (1, 3, 4))
    w = jax.random.normal(jax.random.key(3), (4, 4, 4)) / 2.0
    params = {"wq": w[0], "wk": w[1], "wv": w[2], "wo": w[3]}
    got = multi_head_attention(params, x, 2)
    heads = [causal_attention(x @ w[0][:, c:c + 2], x @ w[1][:, c:c + 2], x @ w[2][:, c:c + 2])[0] for c in (0, 2)]
    expected = jnp.concatenate(heads, axis=-1) @ w[3]
    assert jnp.allclose(got, expected, atol=1e-5), (
        "with two heads of size 2, head 0 must use columns 0-1 and head 1 columns 2-3 of wq, wk and wv")


# Task transformer.rotary_embedding
def test_rotary_embedding_rotates_pairs():
    x = jnp.array([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]])    # pairs (x0, x2) and (x1, x3)
    got = rotary_embedding(x, jnp.array([0, 1]), 100.0)
    assert jnp.allclose(got[0], x[0]), f"position 0 must leave x unchanged, got {got[0]}"
    # Pair 0 turns by 1 radian, pair 1 by 1 / 100 ** (2 / 4) = 0.1 radian.
    expected = jnp.array([jnp.cos(1.0), -jnp.sin(0.1), jnp.sin(1.0), jnp.cos(0.1)])
    assert jnp.allclose(got[1], expected, atol=1e-6), f"position 1 gave {got[1]}, expected {expected}"


def test_rotary_scores_depend_on_the_offset_only():
    q, k = jax.random.normal(jax.random.key(0), (2, 1, 6))
    score = lambda m, n: jnp.sum(rotary_embedding(q, jnp.array([m]), 10000.0) * rotary_embedding(k, jnp.array([n]), 10000.0))
    assert jnp.allclose(score(9, 4), score(5, 0), atol=1e-5), "the score of positions 9 and 4 must equal that of 5 and 0"


# Task transformer.char_tokenizer
def test_char_tokenizer_round_trip():
    chars, encode, decode = char_tokenizer("hello world")
    assert chars == [" ", "d", "e", "h", "l", "o", "r", "w"], f"chars is {chars}, expected the sorted distinct characters"
    ids = encode("hello")
    assert ids.dtype == jnp.int32 and ids.tolist() == [3, 2, 4, 4, 5], f"encode('hello') returned {ids}"
    assert decode(ids) == "hello", f"decode(encode('hello')) returned {decode(ids)!r}"
    assert encode("").shape == (0,), "encode('') must return an empty int32 array"


# Task transformer.next_token_batch
def test_next_token_batch_targets_are_shifted_inputs():
    ids = jnp.arange(100, 120, dtype=jnp.int32)
    x, y = next_token_batch(ids, jax.random.key(0), 4, 5)
    assert x.shape == (4, 5) and y.shape == (4, 5), f"shapes {x.shape} and {y.shape}, expected (4, 5) twice"
    assert jnp.array_equal(y[:, :-1], x[:, 1:]) and jnp.array_equal(y[:, -1], x[:, -1] + 1), (
        f"each target row must be its input row shifted by one token:\nx = {x}\ny = {y}")


def test_next_token_batch_tight_fit_starts_at_zero():
    ids = jnp.array([5, 6, 7, 8], dtype=jnp.int32)
    x, y = next_token_batch(ids, jax.random.key(1), 3, 3)
    assert x.tolist() == [[5, 6, 7]] * 3 and y.tolist() == [[6, 7, 8]] * 3, (
        f"with len(ids) == block_size + 1 every window starts at 0; got x = {x.tolist()}, y = {y.tolist()}")


# Task transformer.cross_entropy
def test_cross_entropy_uniform_is_log_v():
    got = cross_entropy(jnp.zeros((2, 3, 7)), jnp.zeros((2, 3), jnp.int32))
    assert jnp.allclose(got, jnp.log(7.0)), f"uniform logits over 7 tokens gave {got}, expected log 7 = {jnp.log(7.0)}"


def test_cross_entropy_large_logits_stay_finite():
    got = cross_entropy(jnp.array([[2000.0, 0.0], [0.0, 2000.0]]), jnp.array([0, 0], jnp.int32))
    assert jnp.isfinite(got) and jnp.allclose(got, 1000.0), f"got {got}, expected (0 + 2000) / 2 = 1000"


# Task transformer.transformer_lm
def test_transformer_lm_shapes_and_initial_loss():
    params = init_lm(jax.random.key(0), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    tokens = jax.random.randint(jax.random.key(1), (3, 8), 0, 11)
    logits = jax.jit(transformer_lm, static_argnums=2)(params, tokens, 2)
    assert logits.shape == (3, 8, 11) and logits.dtype == jnp.float32, f"logits {logits.dtype}{logits.shape}"
    loss = cross_entropy(logits[:, :-1], tokens[:, 1:])
    assert abs(float(loss) - math.log(11)) < 0.1, f"the loss at initialisation is {float(loss):.3f}, expected about log 11"


def test_transformer_lm_is_causal():
    params = init_lm(jax.random.key(2), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    lm = jax.jit(transformer_lm, static_argnums=2)
    first = lm(params, jnp.array([[1, 2, 3, 4]]), 2)
    second = lm(params, jnp.array([[1, 2, 0, 0]]), 2)
    assert jnp.allclose(first[0, :2], second[0, :2], atol=1e-6), "the logits at position t must not depend on later tokens"


# Task transformer.train_lm
def test_train_lm_lowers_the_loss():
    text = make_corpus(50)
    chars, encode, _ = char_tokenizer(text)
    params = init_lm(jax.random.key(0), len(chars), d_model=16, num_heads=2, num_layers=1, max_len=8)
    trained, losses = train_lm(params, encode(text), jax.random.key(1), 2, 30, 8, 8, 1e-2)
    assert losses.shape == (30,) and losses.dtype == jnp.float32, f"losses {losses.dtype}{losses.shape}"
    assert abs(float(losses[0]) - math.log(len(chars))) < 0.1, f"losses[0] is {losses[0]}, expected about log V"
    assert float(jnp.mean(losses[-5:])) < float(losses[0]) - 0.5, f"the loss went from {losses[0]} to {losses[-5:]}"
    assert jax.tree.structure(trained) == jax.tree.structure(params), "the trained params changed structure"


# Task transformer.sample
def test_sample_greedy_and_reproducible():
    params = init_lm(jax.random.key(0), vocab_size=11, d_model=8, num_heads=2, num_layers=2, max_len=8)
    prompt = jnp.array([1, 2], dtype=jnp.int32)
    sampler = jax.jit(sample, static_argnums=(3, 4, 5))
    tokens = sampler(params, prompt, jax.random.key(1), 2, 4, 1.0)
    assert tokens.shape == (4,) and tokens.dtype == jnp.int32, f"sample returned {tokens.dtype}{tokens.shape}"
    again = sampler(params, prompt, jax.random.key(1), 2, 4, 1.0)
    assert jnp.array_equal(tokens, again), "the same key must give the same tokens"
    greedy = sampler(params, prompt, jax.random.key(1), 2, 1, 0.0)
    expected = jnp.argmax(jax.jit(transformer_lm, static_argnums=2)(params, prompt[None], 2)[0, -1])
    assert int(greedy[0]) == int(expected), f"at temperature 0 the first token is {greedy[0]}, expected the argmax {expected}"
