"""Safe, bounded YAML reading that keeps what the user wrote.

YAML 1.1 (PyYAML) reads an unquoted `18:00` as the sexagesimal integer 1080 and
`2026-12-01` as a date object. Scenario files are full of both, so this loader keeps
every plain scalar containing a colon, and every date-like scalar, as a string; the
schema then parses them with the contract's own grammar. Only the safe constructors
exist, so `!!python/object` and friends are rejected.

A scenario is also input from someone else, so reading it is bounded (docs/limits.md):
only a regular file (never a FIFO or a device: they would block or never end) of at
most `MAX_SCENARIO_BYTES`; at most `MAX_DEPTH` levels of nesting and `MAX_VALUES`
values with every alias expanded (an alias bomb of a few hundred bytes would otherwise
expand to billions of values wherever it is used); a key written twice in one mapping
is an error naming both lines (PyYAML would let the later one win in silence).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .errors import InputError, Problem
from .grammar import quoted

MAX_SCENARIO_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32  # a scenario needs 5 (trip.extend.after.days); inline rows 4
MAX_VALUES = 100_000  # scalars, lists and mappings, aliases expanded: 2,500 inline rows use about 40,000
_REPARSE_CHARS = 64 * 1024  # a syntax error in a file up to this size is explained by PyYAML's parser
_MAX_NUMBER_CHARS = 40  # an integer written with more characters is no number a scenario holds

_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(yaml.MarkedYAMLError):
    """A bound of this module was passed at `problem_mark`."""


def read_regular_file(path: Path, limit: int, what: str, missing: str = "file not found") -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes; anything
    else is an InputError naming the file. A FIFO or device is refused without being read
    (a FIFO would block, /dev/zero never ends); the file is opened non-blocking and checked
    again once open, so a FIFO swapped in after the first look is refused too."""
    where = str(path)
    check_regular_file(path, missing)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(Problem(where, missing)) from None
    except OSError as exc:
        raise InputError(Problem(where, f"cannot read ({exc.strerror or exc})")) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _require_regular(info.st_mode, where)
        if info.st_size > limit:
            raise InputError(Problem(where, _too_big(info.st_size, limit, what)))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(Problem(where, f"cannot read ({exc.strerror or exc})")) from None
    if len(data) > limit:  # it grew while being read
        raise InputError(Problem(where, _too_big(len(data), limit, what)))
    return data


def check_regular_file(path: Path, missing: str = "file not found") -> None:
    """InputError naming `path` unless it is a regular file (or a link to one); never opens it."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(Problem(str(path), missing)) from None
    except OSError as exc:
        raise InputError(Problem(str(path), f"cannot read ({exc.strerror or exc})")) from None
    _require_regular(info.st_mode, str(path))


def _require_regular(mode: int, where: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    raise InputError(Problem(where, f"is {kind}, not a regular file: tripopt reads only regular files"))


def _too_big(size: int, limit: int, what: str) -> str:
    return f"is {size:,} bytes, more than the {limit:,} a {what} may have (docs/limits.md)"


def _events(text: str) -> Any:
    """A YAML event parser: libyaml's when PyYAML was built with it (five times faster,
    which matters for an input at the bounds), else PyYAML's own."""
    try:
        from yaml._yaml import CParser  # only with libyaml
    except ImportError:
        return yaml.SafeLoader(text)
    return CParser(text)


class _ScenarioLoader(Composer, SafeConstructor, Resolver):
    """SafeLoader without sexagesimal numbers and implicit timestamps, bounded in depth and
    size, and recording keys given twice (`duplicates`: key, first mark, second mark).
    The composer is PyYAML's (in Python, so its depth can be bounded here), fed by `_events`."""

    def __init__(self, text: str):
        self._parser = _events(text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._values = 0
        self.duplicates: list[tuple[Any, Any, Any]] = []

    def check_event(self, *choices: Any) -> bool:
        return bool(self._parser.check_event(*choices))

    def peek_event(self) -> Any:
        return self._parser.peek_event()

    def get_event(self) -> Any:
        return self._parser.get_event()

    def dispose(self) -> None:
        self._parser.dispose()

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode and implicit[0] and (":" in value or tag == _TIMESTAMP_TAG):
            return _STR_TAG
        return tag

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Count and bound nesting before PyYAML's recursive composer could overflow the stack."""
        self._depth += 1
        self._values += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=f"nested deeper than {MAX_DEPTH} levels (docs/limits.md)",
                               problem_mark=self.peek_event().start_mark)
            if self._values > MAX_VALUES:
                raise _Refused(problem=f"more than {MAX_VALUES:,} values (docs/limits.md)",
                               problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:  # unhashable: the constructor reports it
                continue
            if first is not key_node.start_mark:
                self.duplicates.append((key, first, key_node.start_mark))
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if len(node.value) > _MAX_NUMBER_CHARS:
            raise _Refused(problem=f"a number of more than {_MAX_NUMBER_CHARS} characters",
                           problem_mark=node.start_mark)
        return super().construct_yaml_int(node)


_ScenarioLoader.add_constructor("tag:yaml.org,2002:int", _ScenarioLoader.construct_yaml_int)  # type: ignore[type-var]


def read_yaml(path: Path) -> Any:
    """Parse a scenario file, turning every failure into an InputError naming the file."""
    data = read_regular_file(path, MAX_SCENARIO_BYTES, "scenario file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Problem(str(path), f"not UTF-8 text (byte {exc.start})")) from None
    loader = _ScenarioLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        result = loader.construct_document(node)
    except _Refused as exc:
        raise InputError(Problem(_mark(path, exc.problem_mark), str(exc.problem))) from None
    except yaml.constructor.ConstructorError as exc:
        where = _mark(path, exc.problem_mark)
        problem = str(exc.problem)
        if "constructor for the tag" in problem:
            raise InputError(Problem(where, f"tag not allowed in a scenario: {_text(problem)}")) from None
        raise InputError(Problem(where, f"YAML error: {_text(problem)}")) from None
    except yaml.MarkedYAMLError as exc:
        error = _pure_python_error(text) or exc
        where = _mark(path, error.problem_mark)
        raise InputError(Problem(where, f"YAML syntax error: {_text(error.problem)}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(str(path), f"YAML error: {_text(exc)}")) from None
    except (ValueError, RecursionError) as exc:  # a value the safe constructors cannot build
        raise InputError(Problem(str(path), f"YAML error: {_text(exc)}")) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InputError([
            Problem(_mark(path, second), f"duplicate key {quoted(key)}: already given on line {first.line + 1} "
                    "(YAML would keep only the later one)")
            for key, first, second in loader.duplicates])
    return result


def _pure_python_error(text: str) -> yaml.MarkedYAMLError | None:
    """PyYAML's own account of a syntax error (it says what it found, libyaml only what it
    missed), for a file small enough to parse again quickly."""
    if len(text) > _REPARSE_CHARS:
        return None
    parser = yaml.SafeLoader(text)
    try:
        while parser.check_event():
            parser.get_event()
    except yaml.MarkedYAMLError as exc:
        return exc
    finally:
        parser.dispose()
    return None


def _check_expansion(root: Node) -> None:
    """Refuse a document whose aliases expand past `MAX_VALUES` values or `MAX_DEPTH`
    levels, or refer to the collection they are in, before anything walks the expanded
    data (validation, messages). Each node is measured once (aliases share their node)."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values expanded, height)
    open_nodes: set[int] = set()

    def measure(node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in measured:
            size, height = measured[key]
            if depth + height > MAX_DEPTH:
                raise _Refused(problem=f"an alias nests the data deeper than {MAX_DEPTH} levels (docs/limits.md)",
                               problem_mark=node.start_mark)
            return size, height
        if key in open_nodes:
            raise _Refused(problem="an alias refers to the list or mapping that contains it",
                           problem_mark=node.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused(problem=f"an alias nests the data deeper than {MAX_DEPTH} levels (docs/limits.md)",
                           problem_mark=node.start_mark)
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        open_nodes.add(key)
        size, height = 1, 0
        for child in children:
            child_size, child_height = measure(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > MAX_VALUES:
                raise _Refused(problem=f"with its aliases expanded, this holds more than {MAX_VALUES:,} values "
                               "(docs/limits.md): an alias bomb?", problem_mark=node.start_mark)
        open_nodes.discard(key)
        measured[key] = (size, height)
        return size, height

    measure(root, 1)


def _text(problem: object) -> str:
    """A parser's message, shortened (it may quote the input)."""
    text = str(problem)
    return text if len(text) <= 200 else f"{text[:200]}..."


def _mark(path: Path, mark: Any) -> str:
    """`file.yaml line L, column C` from a PyYAML mark (1-based for people)."""
    if mark is None:
        return str(path)
    return f"{path} line {mark.line + 1}, column {mark.column + 1}"
