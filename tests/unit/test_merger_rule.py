"""A unit's figures move under its successor only once the unit has ceased."""

import datetime as dt

from giamsat.domain.indicators import UnitRef, reporting_unit

D = dt.date
UNITS = {
    "13759@2024-01-01": UnitRef("13759@2024-01-01", "13759", "Xã Tân Thành", D(2024, 1, 1),
                                D(2024, 8, 31), "13765@2024-01-01"),
    "13765@2024-01-01": UnitRef("13765@2024-01-01", "13765", "Xã Trung Thành", D(2024, 1, 1)),
}


def test_a_commune_is_shown_apart_from_its_existing_successor_before_the_merger():
    assert reporting_unit(UNITS, "13759@2024-01-01", D(2024, 6, 18)) == "13759@2024-01-01"
    assert reporting_unit(UNITS, "13759@2024-01-01", D(2024, 8, 31)) == "13759@2024-01-01"


def test_a_commune_is_shown_under_its_successor_from_the_day_after_it_ceases():
    assert reporting_unit(UNITS, "13759@2024-01-01", D(2024, 9, 1)) == "13765@2024-01-01"
