"""The council register: surveys/councils.csv and pipeline.council_register."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.config import surveys_dir
from pipeline.council_register import (
    Council,
    CouncilRegisterError,
    UnknownCouncil,
    council_register,
    councils_on,
    existence_note,
    find_councils,
    new_council,
    normalise_council_name,
    resolve_council,
)

# The 151 councils as NHS Digital's ASCOF 2020-21 open-data file names them:
# CASSR code, published name, ONS code, council type (from the ONS code's prefix).
ASCOF_2020_21 = """\
716,Barking and Dagenham,E09000002,London borough
717,Barnet,E09000003,London borough
204,Barnsley,E08000016,metropolitan district
908,Bath and North East Somerset,E06000022,unitary authority
625,Bedford,E06000055,unitary authority
718,Bexley,E09000004,London borough
406,Birmingham,E08000025,metropolitan district
324,Blackburn with Darwen,E06000008,unitary authority
325,Blackpool,E06000009,unitary authority
304,Bolton,E08000001,metropolitan district
738,"Bournemouth, Christchurch and Poole",E06000058,unitary authority
614,Bracknell Forest,E06000036,unitary authority
209,Bradford,E08000032,metropolitan district
719,Brent,E09000005,London borough
816,Brighton and Hove,E06000043,unitary authority
909,"Bristol, City of",E06000023,unitary authority
720,Bromley,E09000006,London borough
916,Buckinghamshire,E06000060,unitary authority
305,Bury,E08000002,metropolitan district
210,Calderdale,E08000033,metropolitan district
623,Cambridgeshire,E10000003,county council
702,Camden,E09000007,London borough
626,Central Bedfordshire,E06000056,unitary authority
326,Cheshire East,E06000049,unitary authority
327,Cheshire West and Chester,E06000050,unitary authority
714,City of London,E09000001,London borough
902,Cornwall,E06000052,unitary authority
116,County Durham,E06000047,unitary authority
407,Coventry,E08000026,metropolitan district
721,Croydon,E09000008,London borough
102,Cumbria,E10000006,county council
117,Darlington,E06000005,unitary authority
507,Derby,E06000015,unitary authority
506,Derbyshire,E10000007,county council
912,Devon,E10000008,county council
205,Doncaster,E08000017,metropolitan district
809,Dorset,E06000059,unitary authority
408,Dudley,E08000027,metropolitan district
722,Ealing,E09000009,London borough
214,East Riding of Yorkshire,E06000011,unitary authority
815,East Sussex,E10000011,county council
723,Enfield,E09000010,London borough
620,Essex,E10000012,county council
106,Gateshead,E08000037,metropolitan district
904,Gloucestershire,E10000013,county council
703,Greenwich,E09000011,London borough
704,Hackney,E09000012,London borough
321,Halton,E06000006,unitary authority
705,Hammersmith and Fulham,E09000013,London borough
812,Hampshire,E10000014,county council
724,Haringey,E09000014,London borough
725,Harrow,E09000015,London borough
111,Hartlepool,E06000001,unitary authority
726,Havering,E09000016,London borough
415,"Herefordshire, County of",E06000019,unitary authority
606,Hertfordshire,E10000015,county council
727,Hillingdon,E09000017,London borough
728,Hounslow,E09000018,London borough
803,Isle of Wight,E06000046,unitary authority
906,Isles of Scilly,E06000053,unitary authority
706,Islington,E09000019,London borough
707,Kensington and Chelsea,E09000020,London borough
820,Kent,E10000016,county council
215,"Kingston upon Hull, City of",E06000010,unitary authority
729,Kingston upon Thames,E09000021,London borough
211,Kirklees,E08000034,metropolitan district
315,Knowsley,E08000011,metropolitan district
708,Lambeth,E09000022,London borough
323,Lancashire,E10000017,county council
212,Leeds,E08000035,metropolitan district
509,Leicester,E06000016,unitary authority
508,Leicestershire,E10000018,county council
709,Lewisham,E09000023,London borough
503,Lincolnshire,E10000019,county council
316,Liverpool,E08000012,metropolitan district
611,Luton,E06000032,unitary authority
306,Manchester,E08000003,metropolitan district
821,Medway,E06000035,unitary authority
730,Merton,E09000024,London borough
112,Middlesbrough,E06000002,unitary authority
613,Milton Keynes,E06000042,unitary authority
107,Newcastle upon Tyne,E08000021,metropolitan district
731,Newham,E09000025,London borough
607,Norfolk,E10000020,county council
216,North East Lincolnshire,E06000012,unitary authority
217,North Lincolnshire,E06000013,unitary authority
910,North Somerset,E06000024,unitary authority
108,North Tyneside,E08000022,metropolitan district
218,North Yorkshire,E10000023,county council
504,Northamptonshire,E10000021,county council
104,Northumberland,E06000057,unitary authority
512,Nottingham,E06000018,unitary authority
511,Nottinghamshire,E10000024,county council
307,Oldham,E08000004,metropolitan district
608,Oxfordshire,E10000025,county council
624,Peterborough,E06000031,unitary authority
913,Plymouth,E06000026,unitary authority
813,Portsmouth,E06000044,unitary authority
616,Reading,E06000038,unitary authority
732,Redbridge,E09000026,London borough
113,Redcar and Cleveland,E06000003,unitary authority
733,Richmond upon Thames,E09000027,London borough
308,Rochdale,E08000005,metropolitan district
206,Rotherham,E08000018,metropolitan district
510,Rutland,E06000017,unitary authority
309,Salford,E08000006,metropolitan district
409,Sandwell,E08000028,metropolitan district
317,Sefton,E08000014,metropolitan district
207,Sheffield,E08000019,metropolitan district
417,Shropshire,E06000051,unitary authority
617,Slough,E06000039,unitary authority
410,Solihull,E08000029,metropolitan district
905,Somerset,E10000027,county council
911,South Gloucestershire,E06000025,unitary authority
109,South Tyneside,E08000023,metropolitan district
814,Southampton,E06000045,unitary authority
621,Southend-on-Sea,E06000033,unitary authority
710,Southwark,E09000028,London borough
318,St. Helens,E08000013,metropolitan district
413,Staffordshire,E10000028,county council
310,Stockport,E08000007,metropolitan district
114,Stockton-on-Tees,E06000004,unitary authority
414,Stoke-on-Trent,E06000021,unitary authority
609,Suffolk,E10000029,county council
110,Sunderland,E08000024,metropolitan district
805,Surrey,E10000030,county council
734,Sutton,E09000029,London borough
819,Swindon,E06000030,unitary authority
311,Tameside,E08000008,metropolitan district
418,Telford and Wrekin,E06000020,unitary authority
622,Thurrock,E06000034,unitary authority
914,Torbay,E06000027,unitary authority
711,Tower Hamlets,E09000030,London borough
312,Trafford,E08000009,metropolitan district
213,Wakefield,E08000036,metropolitan district
411,Walsall,E08000030,metropolitan district
735,Waltham Forest,E09000031,London borough
712,Wandsworth,E09000032,London borough
322,Warrington,E06000007,unitary authority
404,Warwickshire,E10000031,county council
615,West Berkshire,E06000037,unitary authority
807,West Sussex,E10000032,county council
713,Westminster,E09000033,London borough
313,Wigan,E08000010,metropolitan district
817,Wiltshire,E06000054,unitary authority
618,Windsor and Maidenhead,E06000040,unitary authority
319,Wirral,E08000015,metropolitan district
619,Wokingham,E06000041,unitary authority
412,Wolverhampton,E08000031,metropolitan district
416,Worcestershire,E10000034,county council
219,York,E06000014,unitary authority
"""
PUBLISHED = list(
    csv.DictReader(io.StringIO(ASCOF_2020_21), ["cassr_code", "name", "ons_code", "council_type"])
)
IN_2020_21 = date(2020, 10, 1)


def test_the_published_list_is_complete() -> None:
    assert len(PUBLISHED) == 151
    assert len({row["ons_code"] for row in PUBLISHED}) == 151


@pytest.mark.parametrize("row", PUBLISHED, ids=lambda row: row["ons_code"])
def test_every_2020_21_council_resolves_by_name_ons_code_and_cassr_code(row: dict) -> None:
    by_name = resolve_council(row["name"], on=IN_2020_21)
    assert by_name.ons_code == row["ons_code"]
    assert by_name.name == row["name"]
    assert by_name.cassr_code == row["cassr_code"]
    assert by_name.council_type == row["council_type"]
    assert by_name.registered
    assert resolve_council(row["ons_code"]) == by_name
    assert resolve_council(row["ons_code"].lower()) == by_name
    assert resolve_council(row["cassr_code"]) == by_name


@pytest.mark.parametrize(
    ("ons_code", "name", "start"),
    [
        ("E06000058", "Bournemouth, Christchurch and Poole", date(2019, 4, 1)),
        ("E06000059", "Dorset", date(2019, 4, 1)),
        ("E06000060", "Buckinghamshire", date(2020, 4, 1)),
        ("E06000061", "North Northamptonshire", date(2021, 4, 1)),
        ("E06000062", "West Northamptonshire", date(2021, 4, 1)),
        ("E06000063", "Cumberland", date(2023, 4, 1)),
        ("E06000064", "Westmorland and Furness", date(2023, 4, 1)),
        ("E06000065", "North Yorkshire", date(2023, 4, 1)),
        ("E06000066", "Somerset", date(2023, 4, 1)),
    ],
)
def test_councils_created_by_the_reorganisations(ons_code: str, name: str, start: date) -> None:
    council = resolve_council(ons_code)
    assert (council.name, council.start_date, council.end_date) == (name, start, None)
    assert council.council_type == "unitary authority"
    assert resolve_council(name, on=start) == council
    assert not council.exists_on(start - timedelta(days=1))


@pytest.mark.parametrize(
    ("ons_code", "name", "end", "successors"),
    [
        ("E06000028", "Bournemouth", date(2019, 3, 31), ("E06000058",)),
        ("E06000029", "Poole", date(2019, 3, 31), ("E06000058",)),
        ("E10000009", "Dorset", date(2019, 3, 31), ("E06000059",)),
        ("E10000002", "Buckinghamshire", date(2020, 3, 31), ("E06000060",)),
        ("E10000021", "Northamptonshire", date(2021, 3, 31), ("E06000061", "E06000062")),
        ("E10000006", "Cumbria", date(2023, 3, 31), ("E06000063", "E06000064")),
        ("E10000023", "North Yorkshire", date(2023, 3, 31), ("E06000065",)),
        ("E10000027", "Somerset", date(2023, 3, 31), ("E06000066",)),
    ],
)
def test_councils_ended_by_the_reorganisations(
    ons_code: str, name: str, end: date, successors: tuple[str, ...]
) -> None:
    council = resolve_council(ons_code)
    assert (council.name, council.end_date, council.replaced_by) == (name, end, successors)
    assert council.exists_on(end) and not council.exists_on(date(end.year, 4, 1))
    assert resolve_council(name, on=end) == council


def test_register_counts() -> None:
    assert len(council_register()) == 161
    assert len(councils_on(date(2019, 3, 31))) == 152
    assert len(councils_on(date(2019, 4, 1))) == 151
    assert len(councils_on(IN_2020_21)) == 151
    assert len(councils_on(date(2022, 6, 1))) == 152
    assert len(councils_on(date(2024, 6, 1))) == 153
    assert len(councils_on()) == 153


def test_the_2020_21_councils_are_exactly_the_published_ones() -> None:
    assert {c.ons_code for c in councils_on(IN_2020_21)} == {r["ons_code"] for r in PUBLISHED}


def test_regions_today() -> None:
    counts: dict[str, int] = {}
    for council in councils_on():
        counts[council.region_name] = counts.get(council.region_name, 0) + 1
    assert counts == {
        "North East": 12,
        "North West": 24,
        "Yorkshire and The Humber": 15,
        "East Midlands": 10,
        "West Midlands": 14,
        "East of England": 11,
        "London": 33,
        "South East": 19,
        "South West": 15,
    }
    assert resolve_council("Barnsley").region_name == "Yorkshire and The Humber"
    assert resolve_council("Cornwall").region_code == "E12000009"
    assert resolve_council("Isles of Scilly").region_name == "South West"
    assert resolve_council("City of London").region_name == "London"
    assert resolve_council("Cumberland").region_name == "North West"
    assert resolve_council("Milton Keynes").region_name == "South East"


def test_london_has_its_33_authorities() -> None:
    london = [c for c in councils_on() if c.region_code == "E12000007"]
    assert len(london) == 33
    assert all(c.council_type == "London borough" for c in london)


def test_council_type_follows_the_ons_prefix() -> None:
    types = {
        "E06": "unitary authority",
        "E08": "metropolitan district",
        "E09": "London borough",
        "E10": "county council",
    }
    for council in council_register():
        assert council.council_type == types[council.ons_code[:3]]


def test_no_two_current_councils_share_a_name_or_variant() -> None:
    for day in (date(2019, 3, 31), date(2019, 4, 1), IN_2020_21, date(2022, 6, 1), date.today()):
        seen: dict[str, str] = {}
        for council in councils_on(day):
            for key in council.keys:
                assert key not in seen, f"{key!r}: {seen.get(key)} and {council.ons_code} on {day}"
                seen[key] = council.ons_code


@pytest.mark.parametrize(
    ("text", "ons_code"),
    [
        ("Kingston upon Hull, City of", "E06000010"),
        ("Hull", "E06000010"),
        ("Kingston upon Hull", "E06000010"),
        ("Hull City Council", "E06000010"),
        ("Kingston upon Hull City Council", "E06000010"),
        ("BCP", "E06000058"),
        ("BCP Council", "E06000058"),
        ("Bournemouth, Christchurch & Poole", "E06000058"),
        ("Royal Borough of Windsor and Maidenhead", "E06000040"),
        ("Windsor & Maidenhead", "E06000040"),
        ("St. Helens", "E08000013"),
        ("St Helens", "E08000013"),
        ("St Helens Metropolitan Borough Council", "E08000013"),
        ("Herefordshire", "E06000019"),
        ("Herefordshire, County of", "E06000019"),
        ("Herefordshire Council", "E06000019"),
        ("Bristol", "E06000023"),
        ("Bristol City Council", "E06000023"),
        ("Southend", "E06000033"),
        ("Southend-on-Sea Borough Council", "E06000033"),
        ("Telford", "E06000020"),
        ("Brighton", "E06000043"),
        ("Brighton & Hove", "E06000043"),
        ("Durham", "E06000047"),
        ("County Durham", "E06000047"),
        ("Durham County Council", "E06000047"),
        ("Stoke", "E06000021"),
        ("Stoke on Trent City Council", "E06000021"),
        ("Isles of Scilly", "E06000053"),
        ("Council of the Isles of Scilly", "E06000053"),
        ("City of London", "E09000001"),
        ("City of London Corporation", "E09000001"),
        ("Kent County Council", "E10000016"),
        ("Kent CC", "E10000016"),
        ("Leeds City Council", "E08000035"),
        ("Wigan Council", "E08000010"),
        ("Barnsley Metropolitan Borough Council", "E08000016"),
        ("Barnsley MBC", "E08000016"),
        ("City of Bradford Metropolitan District Council", "E08000032"),
        ("London Borough of Hackney", "E09000012"),
        ("Royal Borough of Greenwich", "E09000011"),
        ("Hammersmith & Fulham", "E09000013"),
        ("City of York Council", "E06000014"),
        ("Bedford Borough Council", "E06000055"),
        ("NORTH  YORKSHIRE", "E06000065"),
        ("  north yorkshire county council ", "E06000065"),
        ("Westmorland & Furness", "E06000064"),
        ("West Northants", "E06000062"),
        ("Notts", "E10000024"),
    ],
)
def test_variants_resolve(text: str, ons_code: str) -> None:
    assert resolve_council(text, on=date(2024, 6, 1)).ons_code == ons_code


def test_normalise_council_name() -> None:
    assert normalise_council_name("City of London") == "city of london"
    assert normalise_council_name("London, City of") == "city of london"
    assert normalise_council_name("City of London Council") == "city of london"
    assert normalise_council_name("County Durham") == "county durham"
    assert normalise_council_name("Kingston upon Hull, City of") == "kingston upon hull"
    assert normalise_council_name("St. Helens") == normalise_council_name("st helens")
    assert normalise_council_name("Brighton & Hove") == "brighton and hove"
    assert normalise_council_name("ＫＥＮＴ  County Council") == "kent"
    assert normalise_council_name("Council") == "council"
    assert normalise_council_name("City of London") != normalise_council_name("London")


def test_a_shared_name_resolves_to_the_council_of_the_date() -> None:
    assert resolve_council("North Yorkshire", on=date(2022, 6, 1)).ons_code == "E10000023"
    assert resolve_council("North Yorkshire", on=date(2024, 6, 1)).ons_code == "E06000065"
    assert resolve_council("North Yorkshire").ons_code == "E06000065"
    assert resolve_council("Somerset", on=date(2023, 3, 31)).ons_code == "E10000027"
    assert resolve_council("Somerset", on=date(2023, 4, 1)).ons_code == "E06000066"
    assert resolve_council("Dorset", on=date(2018, 6, 1)).ons_code == "E10000009"
    assert resolve_council("Dorset County Council", on=date(2019, 6, 1)).ons_code == "E06000059"
    assert resolve_council("Buckinghamshire", on=date(2019, 6, 1)).ons_code == "E10000002"
    assert resolve_council("Buckinghamshire", on=IN_2020_21).ons_code == "E06000060"


def test_an_ended_council_still_resolves_by_name_with_a_note() -> None:
    """A name matching only an ended council returns it: a historical file may be loaded late."""
    in_2020 = date(2020, 6, 1)
    assert existence_note(resolve_council("Northamptonshire", on=in_2020), in_2020) is None

    in_2022 = date(2022, 6, 1)
    council = resolve_council("Northamptonshire", on=in_2022)
    assert council.ons_code == "E10000021"
    assert not council.exists_on(in_2022)
    note = existence_note(council, in_2022)
    assert note is not None
    assert "abolished on 2021-04-01" in note
    assert "North Northamptonshire (E06000061)" in note
    assert "West Northamptonshire (E06000062)" in note

    assert resolve_council("Bournemouth").ons_code == "E06000028"
    assert resolve_council("E10000023", on=date(2024, 6, 1)).ons_code == "E10000023"


def test_a_council_before_it_was_created_gets_a_note() -> None:
    council = resolve_council("Cumberland", on=date(2021, 6, 1))
    assert council.ons_code == "E06000063"
    assert "created on 2023-04-01" in existence_note(council, date(2021, 6, 1))


def test_an_unknown_name_gives_suggestions() -> None:
    with pytest.raises(UnknownCouncil) as raised:
        resolve_council("Northshir")
    error = raised.value
    assert 1 <= len(error.suggestions) <= 3
    assert all(name.startswith("North") for name in error.suggestions)
    message = str(error)
    assert message.startswith("unknown council 'Northshir': not an English council")
    assert "did you mean:" in message
    assert "surveys/councils.csv" in message
    assert "--new-council" in message
    assert "Hampshire" in resolve_council_error("Hampshre").suggestions


def resolve_council_error(text: str) -> UnknownCouncil:
    with pytest.raises(UnknownCouncil) as raised:
        resolve_council(text)
    return raised.value


def test_welsh_and_scottish_areas_are_not_registered() -> None:
    for text in ("Wrexham", "Glasgow City", "W06000006", "S12000049", "E07000150"):
        assert "--new-council" in str(resolve_council_error(text))
    district = resolve_council_error("e07000150")
    assert "not the ONS code of an English council" in str(district)
    assert district.suggestions == ()


def test_suggestions_are_councils_of_the_date() -> None:
    today = [c.ons_code for c in find_councils("Northamptonshre", limit=3)]
    assert "E10000021" not in today
    in_2020 = [c.ons_code for c in find_councils("Northamptonshre", on=date(2020, 6, 1))]
    assert in_2020[0] == "E10000021"


def test_an_empty_council_says_it_is_required() -> None:
    for text in ("", "   ", None):
        with pytest.raises(UnknownCouncil, match="--council is required"):
            resolve_council(text)


def test_known_councils_resolve_case_insensitively() -> None:
    test_council = new_council("Test  Council ")
    assert test_council == Council(
        name="Test Council",
        ons_code=None,
        cassr_code=None,
        council_type=None,
        region_code=None,
        region_name=None,
        start_date=None,
        end_date=None,
        registered=False,
    )
    assert resolve_council("TEST council", known=[test_council]) is test_council
    assert resolve_council("test-council", known=[test_council]) is test_council
    with pytest.raises(UnknownCouncil) as raised:
        resolve_council("Test Councl", known=[test_council])
    assert "Test Council" in raised.value.suggestions
    with pytest.raises(UnknownCouncil):
        resolve_council("Test Council")
    assert existence_note(test_council, date(2020, 1, 1)) is None


def test_new_council_returns_a_registered_council_when_the_name_resolves() -> None:
    council = new_council("leeds city council")
    assert council.registered and council.ons_code == "E08000035"
    wrexham = new_council("Wrexham")
    assert new_council("WREXHAM", known=[wrexham]) is wrexham
    with pytest.raises(ValueError, match="needs the council's name"):
        new_council("  ")


def test_the_register_never_names_the_shared_reference_folder() -> None:
    for name in ("councils.csv", "councils.md"):
        text = (surveys_dir() / name).read_text(encoding="utf-8")
        assert "../shared" not in text and "/shared/" not in text


HEADER = (
    "ons_code,cassr_code,name,council_type,region_code,region_name,start_date,end_date,"
    "replaced_by,variants,source\n"
)
GOOD = "E06000001,111,Hartlepool,unitary authority,E12000001,North East,,,,,test\n"


def write_register(folder: Path, *rows: str) -> Path:
    (folder / "councils.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "E06000001,112,Hartlepool again,unitary authority,E12000001,North East,,,,,x\n",
            "ons_code E06000001 is already used on line 2",
        ),
        (
            "E06000002,111,Middlesbrough,unitary authority,E12000001,North East,,,,,x\n",
            "cassr_code 111 is already used on line 2",
        ),
        ("E06000002,112,,unitary authority,E12000001,North East,,,,,x\n", "name is empty"),
        ("E06000002,112,Middlesbrough,,E12000001,North East,,,,,x\n", "council_type is empty"),
        (
            "E06000002,112,Middlesbrough,unitary authority,,North East,,,,,x\n",
            "region_code is empty",
        ),
        (
            "E06000002,112,Middlesbrough,county council,E12000001,North East,,,,,x\n",
            "does not fit ONS code",
        ),
        (
            "E06000002,112,Middlesbrough,unitary authority,E12000001,North West,,,,,x\n",
            "not one of the nine",
        ),
        (
            "E06000002,112,Middlesbrough,unitary authority,E12000001,North East,1/4/2019,,,,x\n",
            "start_date: '1/4/2019' is not a date",
        ),
        (
            "E06000002,112,Hartlepool Borough Council,unitary authority,E12000001,North East,,,,,x\n",
            "both answer to 'hartlepool'",
        ),
        (
            "E06000002,112,Middlesbrough,unitary authority,E12000001,North East,,,E06000099,,x\n",
            "replaced_by names E06000099",
        ),
    ],
)
def test_a_malformed_register_names_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    folder = write_register(tmp_path, GOOD, row)
    with pytest.raises(CouncilRegisterError) as raised:
        council_register(folder)
    assert f"{folder / 'councils.csv'} line 3" in str(raised.value)
    assert message in str(raised.value)


def test_a_register_may_reuse_a_name_at_different_times(tmp_path: Path) -> None:
    folder = write_register(
        tmp_path,
        "E10000023,218,North Yorkshire,county council,E12000003,Yorkshire and The Humber,,"
        "2023-03-31,E06000065,,x\n",
        "E06000065,,North Yorkshire,unitary authority,E12000003,Yorkshire and The Humber,"
        "2023-04-01,,,,x\n",
    )
    councils = council_register(folder)
    assert [c.cassr_code for c in councils] == ["218", None]


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    (tmp_path / "councils.csv").write_text("ons_code,name\nE06000001,Hartlepool\n")
    with pytest.raises(CouncilRegisterError, match="line 1: missing columns"):
        council_register(tmp_path)
