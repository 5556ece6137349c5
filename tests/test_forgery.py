"""No task's points can be had without computing the answer: a property of the probe framework, every topic.

A student's process can send anything at all. The strongest forger that implements nothing still knows the
probe code and so the *shape* of what each probe returns; it can also claim every measured property (a trace
count, "no globals changed", "uses a while loop") exactly as the reference's run reports it. Here such a
forger answers every probe of every topic in the registry, with outputs filled by fixed or random data of the
reference's structure and the reference's own reports, and every task must score 0. The same data with the
reference's outputs must score everything, so the verdicts are shown to read what was sent.
"""
from __future__ import annotations

import numpy as np
import pytest

from kit import SEEDS, TOPICS, reference, registry

from autograder.grading.grade import Plan, judge
from autograder.sandbox import wire


def forge(value, how: str, rng: np.random.Generator):
    """`value`'s structure with every leaf replaced according to `how`."""
    if type(value) is dict:
        return {} if how == "empty" else {k: forge(v, how, rng) for k, v in value.items()}
    if type(value) is list:
        return [] if how == "empty" else [forge(v, how, rng) for v in value]
    if type(value) is np.ndarray:
        if how == "empty":
            return np.zeros((0,), value.dtype)
        if how == "zeros":
            return np.zeros_like(value)
        if how == "ones":
            return np.ones_like(value)
        if how == "nan":
            return np.full_like(value, np.nan) if value.dtype.kind == "f" else np.full_like(value, -1 if value.dtype.kind == "i" else 1)
        noise = rng.normal(size=value.shape) * 3
        return (noise > 0) if value.dtype.kind == "b" else noise.astype(value.dtype)
    if type(value) is bool:
        return {"zeros": False, "ones": True, "nan": True, "empty": None}.get(how, bool(rng.integers(2)))
    if type(value) is int:
        return {"zeros": 0, "ones": 1, "nan": -1, "empty": None}.get(how, int(rng.integers(-5, 6)))
    if type(value) is float:
        return {"zeros": 0.0, "ones": 1.0, "nan": float("nan"), "empty": None}.get(how, float(rng.normal()))
    if type(value) is str:
        return {"zeros": "", "ones": "x", "nan": "nan", "empty": None}.get(how, "forged")
    return value


FORGERIES = ("zeros", "ones", "nan", "empty", "noise")


@pytest.fixture(scope="module", params=[pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in TOPICS])
def plans(request, tmp_path_factory):
    """The grader's plans of the topic for two seeds, starting from the reference's data this worker already
    computed (the grader's own cache format, OUT/.cache; whatever is missing is computed here)."""
    topic = request.param
    saved = tmp_path_factory.mktemp("plans") / "reference.json"
    saved.write_bytes(wire.dumps({topic: reference(topic).export()}))
    return topic, [Plan.make([topic], seed, saved) for seed in SEEDS[:2]]


def answers(made: Plan, topic: str, how: str | None) -> dict:
    rng = np.random.default_rng(0)
    outcomes = {}
    for call in made.calls[topic]:
        data = made.references[topic].data(call)
        sent = {"out": data.out if how is None else forge(data.out, how, rng), "report": data.report}
        if getattr(call.probe, "reader", None) is not None:
            sent["read"] = data.read if how is None else forge(data.read, how, rng)
        outcomes[call.key] = {"ok": True, "data": sent}
    return outcomes


def test_the_reference_data_earns_every_point(plans):
    topic, made_per_seed = plans
    for made in made_per_seed:
        verdicts = judge(made, topic, answers(made, topic, None), None)
        failed = {t: v["message"][:300] for t, v in verdicts.items() if not v["passed"]}
        assert not failed, f"the reference's own data fails: {failed}"


@pytest.mark.parametrize("how", FORGERIES)
def test_forged_outputs_with_perfect_reports_earn_nothing(plans, how):
    topic, made_per_seed = plans
    for made in made_per_seed:
        verdicts = judge(made, topic, answers(made, topic, how), None)
        passed = sorted(t for t, v in verdicts.items() if v["passed"])
        assert not passed, (f"with outputs forged as {how!r} and the reference's reports, these tasks still pass "
                            f"(grade seed {made.seed}): {passed}. Points must come from outputs compared with data "
                            "the grader computed.")


def test_every_topic_is_covered():
    assert TOPICS == [t.slug for t in registry.active_topics()]
