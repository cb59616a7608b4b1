"""'You said, we did' in plain words, for the results page, the easy-read page, the workbook and
the public dashboard alike, so every face says the same thing about each action.

Each public action reads: what people said (from the finding it answers), what the council said
it would do, by when, how far it has got, and (at a later wave) whether the result for the same
question moved, with the Trends verdict. Figures come from the published frame
(:func:`pipeline.disclosure.you_said.publish_you_said`): a blank figure is never guessed at.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from pipeline.present.findings import lower_first, round_half_away

STATUS_WORDS = {"not_started": "Not started", "under_way": "Under way", "done": "Done"}
EASY_STATUS = {
    "not_started": "We have not started yet.",
    "under_way": "We are doing this now.",
    "done": "We have done this.",
}
MOVED_WORDS = {
    "improved": "a real improvement",
    "no change": "no real change",
    "worse": "a real fall",
    "not compared": "too few answers to test the change",
}
EASY_MOVED = {
    "improved": "Yes. It got better.",
    "no change": "Not yet. It is about the same.",
    "worse": "No. It got worse.",
}
MEASURE_WORDS = {
    "easy": "found it easy",
    "fully": "said fully",
    "supportive": "said the council was supportive",
    "yes": "said yes",
}
_LEADS = ("we said we would ", "we will ", "we would ")


def topic(row: pd.Series) -> str:
    return lower_first(str(row.get("domain") or row.get("question_code")))


def you_said_sentence(row: pd.Series) -> str:
    """What people said, from the finding: "You said getting the support you need was hard."."""
    subject = topic(row)
    worse = str(row.get("finding_comparison")) in ("worse", "lower", "below floor")
    if row.get("section") == "outcomes":
        if worse:
            return f"You said {subject} got better for fewer people here than elsewhere."
        return f"You said {subject} was not getting better for enough people."
    if row.get("finding_measure") == "easy":
        return f"You said {subject} was {'harder here than elsewhere' if worse else 'hard'}."
    return f"You said we could do better at {subject}."


def sentence(text: str) -> str:
    """Free text as a sentence: ends with a full stop unless it has its own punctuation."""
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def action_words(text: object) -> str:
    """The action as it follows "We said we would": a leading "We will" is not repeated."""
    words = " ".join(str(text or "").split())
    for lead in _LEADS:
        if words.lower().startswith(lead):
            words = words[len(lead) :]
            break
    words = lower_first(words)
    return words if words.endswith((".", "!", "?")) else words + "."


def due_text(value: object) -> str:
    """ "By March 2027."."""
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return ""
    when = pd.Timestamp(value)
    return f"By {when:%B %Y}."


def status_text(value: object) -> str:
    return STATUS_WORDS.get(str(value), str(value).replace("_", " ").capitalize())


def _percent(value: object) -> str | None:
    number = round_half_away(value, 0)
    return None if number is None else f"{number:.0f}%"


def result_sentence(row: pd.Series) -> str:
    """Whether the result for the same question moved, in words with both published shares."""
    verdict = row.get("verdict")
    if str(verdict) == "not yet":
        return "The next survey will show whether this made a difference."
    now, before = _percent(row.get("value")), _percent(row.get("previous_value"))
    wave, earlier = int(row["result_wave"]), int(row["action_wave"])
    if not isinstance(verdict, str) or now is None or before is None:
        return (
            f"Too few people answered in {earlier} or {wave} to say whether the result for "
            f"{topic(row)} moved."
        )
    what = "said it got better"
    if row.get("section") != "outcomes":
        what = MEASURE_WORDS.get(str(row.get("finding_measure")), "answered positively")
    return (
        f"In {wave}, {now} {what}, compared with {before} in {earlier}: "
        f"{MOVED_WORDS.get(verdict, verdict)}."
    )


def easy_result(row: pd.Series) -> str:
    verdict = row.get("verdict")
    if str(verdict) == "not yet":
        return "We will find out after the next survey."
    return EASY_MOVED.get(str(verdict), "We cannot tell yet. Not enough people answered.")


def describe_you_said(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the sentences every face shows: ``you_said``, ``we_said``, ``due_text``,
    ``status_text``, ``update_text``, ``result`` and the easy-read ``easy_you_said``,
    ``easy_we_said``, ``easy_status`` and ``easy_result``."""
    data = frame.copy().reset_index(drop=True)
    if data.empty:
        for column in ("you_said", "we_said", "due_text", "status_text", "update_text",
                       "result", "easy_you_said", "easy_we_said", "easy_status",
                       "easy_result"):  # fmt: skip
            data[column] = pd.Series(dtype=object)
        return data
    rows = [row for _, row in data.iterrows()]
    data["you_said"] = [you_said_sentence(r) for r in rows]
    data["we_said"] = ["We said we would " + action_words(r["action_text"]) for r in rows]
    data["due_text"] = [due_text(r["due"]) for r in rows]
    data["status_text"] = [status_text(r["status"]) for r in rows]
    data["update_text"] = [
        sentence(r["public_update"]) if isinstance(r.get("public_update"), str) else ""
        for r in rows
    ]
    data["result"] = [result_sentence(r) for r in rows]
    data["easy_you_said"] = [upper_first(s.removeprefix("You said ")) for s in data["you_said"]]
    data["easy_we_said"] = ["We would " + action_words(r["action_text"]) for r in rows]
    data["easy_status"] = [EASY_STATUS.get(str(r["status"]), "") for r in rows]
    data["easy_result"] = [easy_result(r) for r in rows]
    return data


TABLE_COLUMNS = {
    "domain": "Topic",
    "action_wave": "Survey year",
    "you_said": "You said",
    "we_said": "We said",
    "due": "Due",
    "status_text": "Progress",
    "update_text": "Latest news",
    "result_wave": "Result year",
    "previous_percent": "Percent then",
    "percent": "Percent now",
    "verdict_text": "Did it move?",
}


def you_said_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The published table (workbook sheet, dashboard table): one row per public action,
    shares rounded once to one decimal place, blank where hidden."""
    data = describe_you_said(frame)
    data["percent"] = [round_half_away(v) for v in data.get("value", pd.Series(dtype=float))]
    data["previous_percent"] = [
        round_half_away(v) for v in data.get("previous_value", pd.Series(dtype=float))
    ]
    data["verdict_text"] = [
        "not yet" if str(v) == "not yet" else (v if isinstance(v, str) else "")
        for v in data.get("verdict", pd.Series(dtype=object))
    ]
    for column in TABLE_COLUMNS:
        if column not in data:
            data[column] = None
    table = data[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    for column in ("Survey year", "Result year"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    for column in ("Percent then", "Percent now"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Float64")
    table["Due"] = [str(v) if v is not None and not pd.isna(v) else "" for v in table["Due"]]
    return table
