"""Every Prefect task takes live objects (a Runtime, a session): none may try to hash them."""

import importlib
import pkgutil

from prefect import Task
from prefect.cache_policies import NO_CACHE

import tasks


def all_tasks():
    for info in pkgutil.iter_modules(tasks.__path__):
        module = importlib.import_module(f"tasks.{info.name}")
        yield from ((f"{info.name}.{n}", t) for n, t in vars(module).items() if isinstance(t, Task))


def test_every_task_disables_input_caching():
    found = dict(all_tasks())
    assert len(found) >= 10
    assert [name for name, t in found.items() if t.cache_policy is not NO_CACHE] == []
