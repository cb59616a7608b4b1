"""Which committed loads each part of the data comes from, so caches drop only what a load changed.

A dashboard serving many readers caches every answer. Keying the cache on the whole database
(its file's modification time) made every load drop every answer at once, and made readers wait
for the load even for pages it did not touch, because the file changes while the load writes.
:func:`data_versions` instead reads small tokens from the committed tables (``loads`` and the
few tables written without a load): one per council, one per wave, one for reference data. They
change only when a transaction commits, so a cache keyed on them keeps serving what was
committed before while a load runs, and afterwards recomputes only its council, its wave's
pooled figures and anything that reads every council (docs/decisions.md D66).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import duckdb

from pipeline.analysis.sql_files import sql_text

# Analysis functions that, given a council, read only that council's rows (every wave of it) and
# reference data such as loaded benchmarks, all from tables sql/data_versions.sql covers. Anything
# not listed is keyed on the whole data, which changes with any committed write.
COUNCIL_SCOPED = frozenset(
    {
        "budget_summary",
        "distribution",
        "drivers",
        "moderation_queue",
        "official_measures",
        "reminder_codes",
        "response_rates",
        "sample_draws",
        "sample_status",
        "wave_changes",
    }
)
# Given a council and a wave, these also read every council of that wave (the pooled
# leave-one-out benchmark), so a load into any council of the wave changes them.
COUNCIL_AND_WAVE_SCOPED = frozenset({"results", "subgroups"})


@dataclass(frozen=True)
class DataVersions:
    """Tokens of the committed data: per council, per wave, reference data, and all of it."""

    councils: Mapping[str, str] = field(default_factory=dict)
    waves: Mapping[int, str] = field(default_factory=dict)
    reference: str = ""
    # Anything else committed (tables written without a load, such as a new module's): the
    # caller sets it to a fingerprint of the file taken while no writer held it.
    committed: str = ""

    @cached_property
    def everything(self) -> str:
        """One token that changes whenever any part does (for calls with no narrower scope)."""
        parts = [self.reference, self.committed]
        parts += [f"c{name}={token}" for name, token in sorted(self.councils.items())]
        parts += [f"w{wave}={token}" for wave, token in sorted(self.waves.items())]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def council(self, name: object) -> str:
        return self.councils.get(str(name), "")

    def wave(self, wave: object) -> str:
        try:
            return self.waves.get(int(wave), "")  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return self.everything

    def scope(self, *, council: object = None, wave: object = None, pooled: bool = True) -> tuple:
        """The token of a council (and, when ``pooled``, its wave's other councils).

        No council means every council: the whole data's token.
        """
        if council is None:
            return ("all", self.everything)
        if wave is None and pooled:
            return ("all", self.everything)
        parts: tuple = ("council", str(council), self.council(council), self.reference)
        if pooled:
            parts += ("wave", str(wave), self.wave(wave))
        return parts

    def for_call(self, function: str, kwargs: Mapping[str, object]) -> tuple:
        """The token an analysis call's answer depends on (see the two sets above)."""
        council = kwargs.get("council")
        if function in COUNCIL_SCOPED and isinstance(council, str):
            return self.scope(council=council, pooled=False)
        if function in COUNCIL_AND_WAVE_SCOPED and isinstance(council, str):
            if kwargs.get("peers"):  # a chosen group pools those councils too
                return ("all", self.everything)
            return self.scope(council=council, wave=kwargs.get("wave"))
        return ("all", self.everything)


def data_versions(con: duckdb.DuckDBPyConnection) -> DataVersions:
    """Read the tokens of ``sql/data_versions.sql`` from a (read-only) connection."""
    rows = con.execute(sql_text("data_versions")).fetchall()
    councils: dict[str, list[str]] = {}
    waves: dict[int, list[str]] = {}
    reference: list[str] = []
    for scope, name, token in rows:
        if scope == "council":
            councils.setdefault(str(name), []).append(str(token))
        elif scope == "wave":
            waves.setdefault(int(name), []).append(str(token))
        else:
            reference.append(str(token))
    return DataVersions(
        councils={name: "/".join(sorted(parts)) for name, parts in councils.items()},
        waves={wave: "/".join(sorted(parts)) for wave, parts in waves.items()},
        reference="/".join(sorted(reference)),
    )
