"""Safe YAML reading that keeps what the user wrote.

YAML 1.1 (PyYAML) reads an unquoted `18:00` as the sexagesimal integer 1080 and
`2026-12-01` as a date object. Scenario files are full of both, so this loader keeps
every plain scalar containing a colon, and every date-like scalar, as a string; the
schema then parses them with the contract's own grammar. Only the safe constructors
exist, so `!!python/object` and friends are rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader without sexagesimal numbers and without implicit timestamps."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode and implicit[0] and (":" in value or tag == _TIMESTAMP_TAG):
            return _STR_TAG
        return tag


def read_yaml(path: Path) -> Any:
    """Parse a scenario file, turning every failure into an InputError naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(Problem(str(path), "file not found")) from None
    except UnicodeDecodeError as exc:
        raise InputError(Problem(str(path), f"not UTF-8 text (byte {exc.start})")) from None
    except OSError as exc:
        raise InputError(Problem(str(path), f"cannot read ({exc.strerror})")) from None
    try:
        return yaml.load(text, Loader=_ScenarioLoader)
    except yaml.constructor.ConstructorError as exc:
        where = _mark(path, exc.problem_mark)
        raise InputError(Problem(where, f"tag not allowed in a scenario: {exc.problem}")) from None
    except yaml.MarkedYAMLError as exc:
        where = _mark(path, exc.problem_mark)
        raise InputError(Problem(where, f"YAML syntax error: {exc.problem}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(str(path), f"YAML error: {exc}")) from None


def _mark(path: Path, mark: Any) -> str:
    """`file.yaml line L, column C` from a PyYAML mark (1-based for people)."""
    if mark is None:
        return str(path)
    return f"{path} line {mark.line + 1}, column {mark.column + 1}"
