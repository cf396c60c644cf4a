"""A Runtime is one opaque value to Prefect: task calls must not walk the plan's units."""

from __future__ import annotations

from prefect.utilities.collections import visit_collection


def test_prefect_does_not_walk_into_a_runtime_given_to_a_task(sqlite_runtime):
    visited = []

    def count(expr: object) -> object:
        visited.append(type(expr).__name__)
        return expr

    # What Prefect does to every task argument to find upstream futures (collect_task_run_inputs).
    visit_collection({"rt": sqlite_runtime}, visit_fn=count, return_data=False)
    assert visited == ["dict", "str", "Runtime"], visited


def test_a_replaced_runtime_keeps_everything_but_the_change(sqlite_runtime):
    other = sqlite_runtime.replace(settings=sqlite_runtime.settings.model_copy(update={"actor": "Lan"}))
    assert other.actor == "Lan" and sqlite_runtime.actor != "Lan"
    assert (other.plan, other.db, other.cycle_id) == (sqlite_runtime.plan, sqlite_runtime.db,
                                                      sqlite_runtime.cycle_id)
