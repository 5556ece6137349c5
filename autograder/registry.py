"""The task registry (autograder/tasks.toml): topics, task ids, points, learning goals, tiered hints.

Everything else (build, checks, nbgrader cells, grade columns, the student command) reads task data from here.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGISTRY_PATH = Path(__file__).with_name("tasks.toml")
# Curriculum order: release topics in this order (a later topic may show an earlier one's answers as given code).
TOPICS = ("gotchas", "transforms", "pytrees", "custom_pytrees", "backprop", "optimizers", "trainstate", "nnx",
          "checkpointing", "pmap", "sharding", "transformer")
HINT_LEVELS = ("a nudge", "the concept and the API to read", "the closest thing to code the kit gives")


@dataclass(frozen=True)
class Task:
    id: str  # "topic.function": registry key, pytest marker, nbgrader grade_id, score name
    points: int
    goal: str
    hints: tuple[str, ...]  # level 1 (a nudge, no code), level 2 (concept + docs), level 3 (nearest to code)

    @property
    def topic(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def hint(self) -> str:
        """The first hint level: what feedback shows next to a failure."""
        return self.hints[0]


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    tasks: tuple[Task, ...]

    @property
    def max_points(self) -> int:
        return sum(task.points for task in self.tasks)


@cache
def load(path: Path = REGISTRY_PATH) -> dict[str, Topic]:
    """Read and validate the registry; raise ValueError naming the first problem."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(raw) - set(TOPICS)
    if unknown:
        raise ValueError(f"{path.name}: unknown topic(s) {sorted(unknown)}; topics are {TOPICS}")
    topics: dict[str, Topic] = {}
    for slug in TOPICS:
        entry = raw.get(slug, {})
        tasks = []
        for item in entry.get("tasks", []):
            hints = item.get("hints")
            if not (isinstance(hints, list) and len(hints) == len(HINT_LEVELS)
                    and all(isinstance(h, str) and h.strip() for h in hints)):
                raise ValueError(f"{path.name}: task {item.get('id')} needs `hints`: {len(HINT_LEVELS)} levels "
                                 f"({', '.join(HINT_LEVELS)})")
            task = Task(id=item["id"], points=int(item["points"]), goal=item["goal"].strip(),
                        hints=tuple(h.strip() for h in hints))
            if task.topic != slug or not task.function.isidentifier():
                raise ValueError(f"{path.name}: task id {task.id!r} must be '{slug}.<function>'")
            if task.points <= 0 or not task.goal:
                raise ValueError(f"{path.name}: task {task.id} needs positive points and a goal")
            tasks.append(task)
        ids = [t.id for t in tasks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{path.name}: duplicate task id in topic {slug}")
        topics[slug] = Topic(slug=slug, title=entry.get("title", slug), tasks=tuple(tasks))
    return topics


def topic_of(task_id: str) -> Topic:
    return load()[task_id.split(".", 1)[0]]


def task(task_id: str) -> Task:
    for candidate in topic_of(task_id).tasks:
        if candidate.id == task_id:
            return candidate
    raise KeyError(f"no task {task_id!r} in {REGISTRY_PATH.name}")


def active_topics() -> list[Topic]:
    """Topics that have tasks (the others are placeholders for coming issues), in curriculum order."""
    return [t for t in load().values() if t.tasks]
