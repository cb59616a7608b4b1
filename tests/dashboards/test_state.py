"""Filters <-> query string: a link reproduces the view, and stale links still open."""

from __future__ import annotations

import pandas as pd

from dashboards.state import Filters, parse_filters, to_query

INVENTORY = pd.DataFrame(
    {
        "council": ["Avonford", "Avonford", "Brightwater", "Avonford"],
        "wave": [2023, 2024, 2024, 2024],
        "instrument": ["poet-holder", "poet-holder", "poet-holder", "poet-carer"],
        "returns": [300, 320, 250, 80],
    }
)


def test_round_trip_reproduces_every_filter() -> None:
    filters = Filters(
        council="Brightwater",
        wave=2024,
        instrument="poet-holder",
        subgroup="management_option",
        weighted=True,
        high_contrast=True,
        large_text=True,
    )
    assert parse_filters(to_query(filters), INVENTORY) == filters


def test_defaults_are_the_first_council_and_its_latest_wave() -> None:
    filters = parse_filters({}, INVENTORY)
    assert (filters.instrument, filters.council, filters.wave) == ("poet-holder", "Avonford", 2024)
    assert not filters.weighted and filters.subgroup is None
    assert to_query(filters) == {"instrument": "poet-holder", "council": "Avonford", "wave": "2024"}


def test_stale_or_unknown_values_fall_back_to_loaded_data() -> None:
    filters = parse_filters(
        {"council": "Nowhere", "wave": "1999", "instrument": "nope", "by": "shoe_size"}, INVENTORY
    )
    assert (filters.council, filters.wave, filters.instrument) == ("Avonford", 2024, "poet-holder")
    assert filters.subgroup is None


def test_a_wave_the_council_lacks_is_replaced_by_its_latest() -> None:
    filters = parse_filters({"council": "Brightwater", "wave": "2023"}, INVENTORY)
    assert filters.wave == 2024


def test_carer_instrument_limits_councils_to_those_with_carer_returns() -> None:
    filters = parse_filters({"instrument": "poet-carer", "council": "Brightwater"}, INVENTORY)
    assert (filters.council, filters.wave) == ("Avonford", 2024)


def test_flags_accept_list_values_as_streamlit_gives_them() -> None:
    filters = parse_filters({"weighted": ["1"], "contrast": "true", "large_text": "0"}, INVENTORY)
    assert filters.weighted and filters.high_contrast and not filters.large_text


def test_empty_database_gives_a_not_ready_filter() -> None:
    empty = INVENTORY.iloc[0:0]
    filters = parse_filters({}, empty)
    assert not filters.ready
