"""The overview publishes the commune table from the kept rows themselves: a run that changed no
report neither copies nor compares a country's rows, and publishes what the copied rows gave."""

from __future__ import annotations

import datetime as dt

from giamsat.cycle import reports

D = dt.date


class _Uncomparable(list):
    """Rows that fail the test when compared row by row."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("compared row by row")

    __hash__ = None  # type: ignore[assignment]


def test_the_kept_rows_are_the_same_list_until_their_mark_changes(sqlite_runtime, monkeypatch):
    rt = sqlite_runtime
    monkeypatch.setattr(reports, "_LAST", {})
    first = reports.kept_report_status_rows(rt, D(2024, 4, 3))
    assert reports.kept_report_status_rows(rt, D(2024, 4, 4)) is first  # nothing changed
    copies = reports.report_status_rows(rt, D(2024, 4, 4))
    assert copies == first and copies is not first
    assert all(a is not b for a, b in zip(copies, first, strict=True))
    real = reports._mark
    monkeypatch.setattr(reports, "_mark", lambda rt, s, as_of: (*real(rt, s, as_of), "changed"))
    again = reports.kept_report_status_rows(rt, D(2024, 4, 4))
    assert again is not first and again == first  # computed again, from the same facts


def test_a_shared_list_published_again_is_known_without_a_comparison(monkeypatch):
    import tasks.overview as publishing

    monkeypatch.setattr(publishing, "_PUBLISHED", {})
    published: list[tuple] = []
    monkeypatch.setattr(publishing, "create_table_artifact",
                        lambda key, table, description: published.append((table, description)) or key)
    rows = _Uncomparable([{"unit_code": "01", "unit_name": "Xã A", "unit_key": "01@2024-01-01",
                           "status": "pending", "status_label": reports.REPORT_STATUS["pending"],
                           "first_accepted_at": None, "last_received_at": None, "submissions": 0,
                           "corrected": False, "open_errors": 0}])
    assert publishing.publish_report_status_artifact(rows, scope="db#1", shared=True) == "report-status"
    assert next(iter(publishing._PUBLISHED.values()))[0] is rows  # kept as it is, not copied
    assert publishing.publish_report_status_artifact(rows, scope="db#1", shared=True) is None
    assert len(published) == 1
    # a caller's own rows are still copied and compared: an equal list is not published again
    plain = [dict(r) for r in rows]
    assert publishing.publish_report_status_artifact(plain, scope="db#2") == "report-status"
    assert publishing.publish_report_status_artifact([dict(r) for r in plain], scope="db#2") is None
    plain[0]["status"] = "missing"  # the caller changes its rows: the kept copy is unaffected
    assert publishing.publish_report_status_artifact([dict(r) for r in rows], scope="db#2") is None


def _publications(rt, monkeypatch, days) -> list:
    import tasks.overview as publishing

    monkeypatch.setattr(publishing, "_PUBLISHED", {})
    monkeypatch.setattr(reports, "_LAST", {})
    out: list = []
    monkeypatch.setattr(publishing, "create_table_artifact",
                        lambda **kw: out.append(("table", kw)) or kw["key"])
    monkeypatch.setattr(publishing, "create_markdown_artifact",
                        lambda **kw: out.append(("markdown", kw)) or kw["key"])
    for day in days:
        out.append(("returned", publishing.publish_overview.fn(rt, day)))
    return out


def test_the_overview_publishes_from_the_kept_rows_what_it_published_from_copies(
        sqlite_runtime, monkeypatch):
    import tasks.overview as publishing

    days = [D(2024, 4, 2), D(2024, 4, 3), D(2024, 4, 3), D(2024, 5, 20)]
    new = _publications(sqlite_runtime, monkeypatch, days)
    # the path before: each publication from its own copy of the rows
    monkeypatch.setattr(publishing, "kept_report_status_rows", reports.report_status_rows)
    old = _publications(sqlite_runtime, monkeypatch, days)
    assert new == old
    assert sum(1 for kind, kw in new if kind == "table" and kw["key"] == "report-status") == 2


def test_a_kept_list_is_counted_once_and_as_a_copy_would_be(sqlite_runtime, monkeypatch):
    rt = sqlite_runtime
    monkeypatch.setattr(reports, "_LAST", {})
    monkeypatch.setattr(reports, "_COUNTED", [None, {}])
    calls: list[int] = []
    real = reports._summarise
    monkeypatch.setattr(reports, "_summarise", lambda rows: calls.append(len(rows)) or real(rows))
    kept = reports.kept_report_status_rows(rt, D(2024, 5, 20))
    first = reports.summarise(kept)
    assert first == real([dict(r) for r in kept]) and calls == [len(kept)]
    first["expected"] = -1  # the caller's own dict: the kept counts are unaffected
    assert reports.summarise(kept) == real(kept) and len(calls) == 1  # counted once
    copies = reports.report_status_rows(rt, D(2024, 5, 20))
    assert reports.summarise(copies) == real(kept) and len(calls) == 2  # a caller's list: counted
    copies[0]["status"] = "on_time"
    assert reports.summarise(copies) != real(kept) and len(calls) == 3


def test_the_overview_given_the_flows_counts_reads_the_outbox_no_more_and_says_the_same(
        sqlite_runtime, monkeypatch):
    import tasks.overview as publishing
    from giamsat.messaging import delivery

    read = _publications(sqlite_runtime, monkeypatch, [D(2024, 4, 3)])
    calls: list[int] = []
    real = delivery.counts
    monkeypatch.setattr(delivery, "counts", lambda rt: calls.append(1) or real(rt))
    counted = real(sqlite_runtime)
    out: list = []
    monkeypatch.setattr(publishing, "_PUBLISHED", {})
    monkeypatch.setattr(publishing, "create_table_artifact",
                        lambda **kw: out.append(("table", kw)) or kw["key"])
    monkeypatch.setattr(publishing, "create_markdown_artifact",
                        lambda **kw: out.append(("markdown", kw)) or kw["key"])
    out.append(("returned", publishing.publish_overview.fn(sqlite_runtime, D(2024, 4, 3), counted)))
    assert calls == [] and out == read
