"""The nbgrader track end to end, in a scratch course: the source notebook scores full marks, the untouched
release scores 0, and a half-solved release scores exactly the points of the tasks it solved (one topic:
the mechanism is the same for all, and every notebook costs a kernel start)."""
import pytest

from kit import TOPICS, registry

from autograder import course

HALF_TOPIC = "gotchas"


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    course.create(root, TOPICS)
    for topic in TOPICS:
        course.submit(root, "reference", topic, course.source_notebook(topic))
        course.submit(root, "blank", topic, course.release_notebook(topic))
        if topic == HALF_TOPIC:
            course.submit(root, "half", topic, course.partially_solved(topic))
        course.autograde(root, topic)
    return {(r["student_id"], r["assignment"]): r for r in course.export(root)}


@pytest.mark.parametrize("topic", TOPICS)
def test_source_notebook_scores_full_marks(gradebook, topic):
    row = gradebook[("reference", topic)]
    assert float(row["max_score"]) == registry.load()[topic].max_points
    assert float(row["score"]) == float(row["max_score"]), row


@pytest.mark.parametrize("topic", TOPICS)
def test_untouched_release_scores_zero(gradebook, topic):
    assert float(gradebook[("blank", topic)]["score"]) == 0.0


def test_half_solved_release_scores_the_solved_tasks(gradebook, topic=HALF_TOPIC):
    notebook = course.partially_solved(topic)
    solved_ids = [c.metadata.nbgrader["grade_id"].removesuffix("-solution") for c in notebook.cells
                  if c.metadata.get("nbgrader", {}).get("solution") and "NotImplementedError" not in c.source]
    expected = sum(t.points for t in registry.load()[topic].tasks if t.id.replace(".", "-") in solved_ids)
    assert 0 < expected < registry.load()[topic].max_points
    assert float(gradebook[("half", topic)]["score"]) == expected
