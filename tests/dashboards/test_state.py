"""Filters <-> query string: a link reproduces the view, and stale links still open."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboards.state import (
    FILTER_PAGES,
    Filters,
    filter_note,
    parse_filters,
    parse_flag,
    peer_group,
    read_link,
    to_query,
)

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
    # The nearest loaded wave to 1999 is Avonford's earliest, not its latest.
    assert (filters.council, filters.wave, filters.instrument) == ("Avonford", 2023, "poet-holder")
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


def test_flags_read_the_usual_spellings_and_say_when_a_value_is_not_one() -> None:
    for text in ("1", "true", "TRUE", "yes", "on"):
        assert read_link({"weighted": text}, INVENTORY) == (
            parse_filters({"weighted": "1"}, INVENTORY),
            [],
        )
    for text in ("0", "false", "no", "off", ""):
        filters, notes = read_link({"weighted": text}, INVENTORY)
        assert not filters.weighted and notes == []
    filters, notes = read_link({"weighted": "maybe", "contrast": "2"}, INVENTORY)
    assert not filters.weighted and not filters.high_contrast
    assert notes == [
        "The link's weighted='maybe' is not yes or no, so weighting is off.",
        "The link's contrast='2' is not yes or no, so high contrast is off.",
    ]
    assert parse_flag(["yes"]) is True and parse_flag("maybe") is None


def test_an_unknown_council_or_wave_becomes_the_nearest_with_a_note() -> None:
    filters, notes = read_link({"council": "brightwatr", "wave": "2031"}, INVENTORY)
    assert (filters.council, filters.wave) == ("Brightwater", 2024)
    assert notes == [
        "The link's council 'brightwatr' has no poet-holder returns loaded, so this shows "
        "Brightwater.",
        "The link's wave '2031' is not loaded for Brightwater, so this shows 2024.",
    ]
    filters, notes = read_link({"council": "Avonford", "wave": "2022"}, INVENTORY)
    assert filters.wave == 2023 and "so this shows 2023" in notes[0]
    filters, notes = read_link({"council": "Zzz", "wave": "soon", "by": "shoe_size"}, INVENTORY)
    assert (filters.council, filters.wave, filters.subgroup) == ("Avonford", 2024, None)
    assert len(notes) == 3 and "showing everyone" in notes[2]


def test_pages_get_only_the_filters_they_can_use() -> None:
    chosen = Filters("Avonford", 2024, "poet-holder", subgroup="gender", weighted=True)
    assert chosen.for_page("outcomes") == replace(chosen, weighted=False)
    assert chosen.for_page("overview") == replace(chosen, subgroup=None)
    assert chosen.for_page("compare") == replace(chosen, subgroup=None, weighted=False)
    assert chosen.for_page("downloads") == chosen  # each download is scoped to its own page
    assert chosen.for_page("a-new-page") == chosen  # an unknown page is not second-guessed
    assert filter_note("subgroup", "overview") == FILTER_PAGES["subgroup"][1]
    assert filter_note("subgroup", "outcomes") is None
    assert "carers" in filter_note("weighted", "carers")


def test_a_peer_group_always_holds_the_selected_council() -> None:
    assert peer_group(["Avonford"], "Brightwater") == ["Brightwater", "Avonford"]
    assert peer_group(["Brightwater", "Avonford"], "Brightwater") == ["Brightwater", "Avonford"]
    assert peer_group([], "Brightwater") == []  # empty still means every council
    assert peer_group(None, "Brightwater") == []
