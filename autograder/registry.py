"""The task registry (autograder/tasks.toml): topics, task ids, points, learning goals, hints.

Everything else (build, checks, nbgrader cells, grade columns) reads task data from here.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGISTRY_PATH = Path(__file__).with_name("tasks.toml")
TOPICS = ("gotchas", "pytrees", "custom_pytrees", "backprop", "pmap", "trainstate", "checkpointing")


@dataclass(frozen=True)
class Task:
    id: str  # "topic.function": registry key, pytest marker, nbgrader grade_id, score name
    points: int
    goal: str
    hint: str

    @property
    def topic(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.id.split(".", 1)[1]


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
            task = Task(id=item["id"], points=int(item["points"]), goal=item["goal"].strip(),
                        hint=item["hint"].strip())
            if task.topic != slug or not task.function.isidentifier():
                raise ValueError(f"{path.name}: task id {task.id!r} must be '{slug}.<function>'")
            if task.points <= 0 or not task.goal or not task.hint:
                raise ValueError(f"{path.name}: task {task.id} needs positive points, a goal and a hint")
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
    """Topics that have tasks (the others are placeholders for coming issues)."""
    return [t for t in load().values() if t.tasks]
