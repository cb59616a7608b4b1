"""The budget register's fields, read from ``surveys/budget-register.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline import yaml_files
from pipeline.config import surveys_dir
from pipeline.instruments import InstrumentError, Scale, shared_scales

FIELD_TYPES = ("id", "date", "money", "category", "text")


@dataclass(frozen=True)
class RegisterField:
    code: str
    type: str
    wording: str
    aliases: tuple[str, ...]
    scale: Scale | None = None
    keep_label: str | None = None  # column that keeps the label as given (national label)
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False


@cache
def _load(path: str) -> tuple[RegisterField, ...]:
    source = Path(path)
    data = yaml_files.safe_load(source.read_text(encoding="utf-8"))
    scales = shared_scales(source.parent)
    fields = []
    for position, entry in enumerate(data.get("fields") or []):
        where = f"{source}: fields[{position}]"
        if "code" not in entry or "type" not in entry:
            raise InstrumentError(f"{where} needs a code and a type")
        if entry["type"] not in FIELD_TYPES:
            raise InstrumentError(f"{where}.type must be one of {FIELD_TYPES}")
        scale = None
        if entry["type"] == "category":
            name = entry.get("scale")
            if name not in scales:
                raise InstrumentError(f"{where}.scale {name!r} is not in scales.yaml")
            scale = scales[name]
        fields.append(
            RegisterField(
                code=str(entry["code"]),
                type=entry["type"],
                wording=str(entry.get("wording", entry["code"])),
                aliases=tuple(str(a) for a in entry.get("aliases") or []),
                scale=scale,
                keep_label=entry.get("keep_label"),
                minimum=entry.get("min"),
                maximum=entry.get("max"),
                required=bool(entry.get("required", False)),
            )
        )
    return tuple(fields)


def register_fields(folder: Path | None = None) -> tuple[RegisterField, ...]:
    """The fields of the budget register definition."""
    return _load(str((folder or surveys_dir()) / "budget-register.yaml"))
