# Generated from solutions/checkpointing.py (sha256 a9c50e9502bf) by `python -m autograder build`. Do not edit: edit the master and rebuild.
"""Visible tests for topic `checkpointing`. Run `pytest` inside exercises/ (or `pytest exercises` from the kit root).

The hidden checks test more than these: passing them is necessary, not sufficient.
"""
from checkpointing import *  # noqa: F401,F403  (the functions you write)


# Task checkpointing.make_manager
def test_make_manager_keeps_the_latest():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        mngr = make_manager(str(tmp_path / "ckpt"), max_to_keep=2)
        for step in range(4):
            mngr.save(step, args=ocp.args.StandardSave({"w": jnp.full(3, float(step))}))
        mngr.wait_until_finished()
        steps = list(mngr.all_steps())
        mngr.close()
        assert steps == [2, 3], f"after saving steps 0..3 with max_to_keep=2, all_steps() is {steps}, expected [2, 3]"


# Task checkpointing.save_state
def test_save_state_writes_and_refuses_skipped_steps():
    with tempfile.TemporaryDirectory() as tmp:
        mngr = ocp.CheckpointManager(os.path.join(tmp, "ckpt"))
        save_state(mngr, 7, make_state(0))
        assert list(mngr.all_steps()) == [7], f"after save_state(mngr, 7, state), all_steps() is {list(mngr.all_steps())}"
        refused = []
        for step in (7, 5):
            try:
                save_state(mngr, step, make_state(1))
            except ValueError:
                refused.append(step)
        mngr.close()
        assert refused == [7, 5], (f"with step 7 saved, save_state raised ValueError for steps {refused} of [7, 5]: "
                                   "Orbax skips both silently")


# Task checkpointing.restore_state
def test_restore_state_round_trip():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        mngr = ocp.CheckpointManager(tmp_path / "ckpt")
        state = make_state(3)
        mngr.save(1, args=ocp.args.StandardSave(state))
        mngr.wait_until_finished()
        restored = restore_state(mngr, make_state(4))
        mngr.close()
        assert isinstance(restored, TrainState), f"restore_state returned a {type(restored).__name__}, expected TrainState"
        assert type(restored.opt_state[0]) is type(state.opt_state[0]), (
            f"restored.opt_state[0] is a {type(restored.opt_state[0]).__name__}, expected {type(state.opt_state[0]).__name__}")
        same = jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), restored.params, state.params)
        assert all(jax.tree.leaves(same)), "the restored params differ from the saved ones"


# Task checkpointing.save_with_metadata
def test_save_with_metadata_round_trip():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        mngr = ocp.CheckpointManager(tmp_path / "ckpt")
        state = make_state(5)
        save_with_metadata(mngr, 2, state, {"epoch": 1, "position": 8, "config": {"lr": 0.01}})
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, make_state(6))
        restored = mngr.restore(2, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract),
                                                            meta=ocp.args.JsonRestore()))
        mngr.close()
        assert restored.meta == {"epoch": 1, "position": 8, "config": {"lr": 0.01}}, f"the metadata came back as {restored.meta}"
        assert int(restored.state.step) == int(state.step), "the restored state has a different step"


# Task checkpointing.make_best_manager
def test_make_best_manager_keeps_the_best():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        mngr = make_best_manager(str(tmp_path / "best"), keep=2, metric="accuracy")
        for step, accuracy in enumerate([0.5, 0.9, 0.7, 0.6]):
            mngr.save(step, args=ocp.args.StandardSave({"w": jnp.zeros(2)}),
                      metrics={"accuracy": accuracy, "loss": 1 - accuracy})
        mngr.wait_until_finished()
        steps, best = list(mngr.all_steps()), mngr.best_step()
        mngr.close()
        assert steps == [1, 2], f"with accuracies 0.5, 0.9, 0.7, 0.6 and keep=2, all_steps() is {steps}, expected [1, 2]"
        assert best == 1, f"best_step() is {best}, expected 1"


# Task checkpointing.train_with_checkpoints
def test_train_with_checkpoints_resumes_exactly():
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        rng = np.random.default_rng(0)
        data = {"x": rng.normal(size=(12, 4)).astype(np.float32), "y": rng.integers(0, 3, 12).astype(np.int32)}
        settings = dict(num_steps=7, batch_size=4, save_every=2, train_step=train_step)
        straight = ocp.CheckpointManager(tmp_path / "straight")
        expected, _ = train_with_checkpoints(straight, make_state(0), data, {"epoch": 0, "position": 0}, **settings)
        straight.close()
        crashed = ocp.CheckpointManager(tmp_path / "crashed")
        train_with_checkpoints(crashed, make_state(0), data, {"epoch": 0, "position": 0}, stop_after=5, **settings)
        crashed.close()
        resumed_mngr = ocp.CheckpointManager(tmp_path / "crashed")
        resumed, _ = train_with_checkpoints(resumed_mngr, make_state(0), data, {"epoch": 0, "position": 0}, **settings)
        resumed_mngr.close()
        assert int(resumed.step) == 7, f"the resumed run ended at step {resumed.step}, expected 7"
        same = jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), resumed.params, expected.params)
        assert all(jax.tree.leaves(same)), "the resumed run's params differ from the uninterrupted run's"
