"""The per-unit status table stays bounded for a province or the whole country."""

from giamsat.cycle.status import ARTIFACT_ALL_UP_TO, ARTIFACT_MAX_ROWS, artifact_rows


def _rows(n: int, missing_every: int) -> list[dict]:
    return [{"unit_code": f"{20001 + i}", "status": "missing" if i % missing_every == 0 else "on_time"}
            for i in range(n)]


def test_a_district_lists_every_unit():
    rows = _rows(18, 5)
    assert artifact_rows(rows) == (rows, 0)


def test_a_province_lists_only_the_units_needing_attention_and_counts_the_rest():
    rows = _rows(200, 10)
    shown, left_out = artifact_rows(rows)
    assert len(rows) > ARTIFACT_ALL_UP_TO
    assert [r["status"] for r in shown] == ["missing"] * 20 and left_out == 180


def test_the_country_never_lists_more_than_the_cap():
    shown, left_out = artifact_rows(_rows(10_600, 2))
    assert len(shown) == ARTIFACT_MAX_ROWS and left_out == 10_600 - ARTIFACT_MAX_ROWS
