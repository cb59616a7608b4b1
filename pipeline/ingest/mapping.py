"""The optional mapping file (``--mapping map.yaml``) that overrides automatic matching.

```yaml
columns:                       # header as written in the file -> question or field code
  "Q7 How are things now?": out_quality_of_life
  "Internal notes": null       # null: a column deliberately left out (reported as ignored)
numeric_order: descending      # numeric answers run 1 = best (or per scale: {change5: descending})
sheet: Responses               # the Excel sheet to read
values:                        # a column's code list (the survey tool's data dictionary)
  Gender: {1: male, 2: female} # header as written -> {value in the file: answer code}
```

A number in a category column (gender, ethnicity, ...) is read only through such a code list
(or SPSS value labels): the same number means different things in different tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


class MappingError(ValueError):
    """The mapping file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str | None] = field(default_factory=dict)
    numeric_order: dict[str, str] = field(default_factory=dict)  # scale name or "*" -> order
    sheet: str | None = None
    source: str = "(none)"
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # header -> raw -> code

    def values_for(self, header: str, *others: str) -> dict[str, str] | None:
        """The code list declared for a column (matched as headers are), or None.

        ``others`` are the column's other texts (a Qualtrics question id beside its text), so
        the list may be declared under any of them.
        """
        from pipeline.instruments import normalise_header

        keys = {normalise_header(text) for text in (header, *others)}
        for name, table in self.values.items():
            if normalise_header(name) in keys:
                return table
        return None

    def order_for(self, scale_name: str) -> str:
        return self.numeric_order.get(scale_name, self.numeric_order.get("*", "ascending"))


def load_mapping(spec: Path | str | dict | Mapping | None) -> Mapping:
    """Read a mapping from a YAML path, a dict or nothing (the empty mapping)."""
    if spec is None:
        return Mapping()
    if isinstance(spec, Mapping):
        return spec
    source = "(inline)"
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        source = str(path)
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as error:
            raise MappingError(f"{path}: mapping file not found") from error
        except yaml.YAMLError as error:
            raise MappingError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(spec, dict):
        raise MappingError(f"{source}: a mapping file holds a mapping at the top level")
    unknown = set(spec) - {"columns", "numeric_order", "sheet", "values"}
    if unknown:
        raise MappingError(
            f"{source}: unknown keys {sorted(unknown)}; use columns, numeric_order, sheet, values"
        )
    values = spec.get("values") or {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise MappingError(
            f"{source}: values must map a header to its code list, e.g. "
            "values: {Gender: {1: male, 2: female}}"
        )
    columns = spec.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(f"{source}: columns must map header text to a code (or null)")
    order = spec.get("numeric_order") or {}
    if isinstance(order, str):
        order = {"*": order}
    if not isinstance(order, dict) or any(
        v not in ("ascending", "descending") for v in order.values()
    ):
        raise MappingError(f"{source}: numeric_order must be ascending or descending")
    return Mapping(
        columns={str(k): (None if v is None else str(v)) for k, v in columns.items()},
        numeric_order={str(k): str(v) for k, v in order.items()},
        sheet=None if spec.get("sheet") is None else str(spec["sheet"]),
        source=source,
        values={
            str(header): {str(raw).strip(): str(code) for raw, code in table.items()}
            for header, table in values.items()
        },
    )
