"""Reading a set-up file and substituting `${ENV_VAR}` secrets."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from voronka.setup.errors import Issue, Loc, SetupValidationError, format_path

# A company's set-up is hundreds of values. The limit stops a YAML "billion laughs" file (aliases
# that expand exponentially) from hanging the walk over the document.
MAX_VALUES = 200_000

# `$${` is a literal `${` (for a password that contains it); `${NAME}` is a variable; any other
# `${` is a typo that must not pass as a literal.
_ENV_TOKEN = re.compile(r"\$\$\{|\$\{([^{}]*)\}|\$\{")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: PyYAML silently keeps the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` may be overridden by explicit keys, that is its purpose
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # unhashable key: the parent method reports it
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found duplicate key {key!r} (first defined on line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_document(text: str, *, json_format: bool = False) -> Any:
    """Parse YAML (or JSON) text; syntax errors and duplicate keys become SetupValidationError."""
    try:
        if json_format:
            return json.loads(text, object_pairs_hook=_json_object)
        # _StrictLoader is a SafeLoader: no arbitrary Python objects, as with yaml.safe_load.
        return yaml.load(text, Loader=_StrictLoader)
    except (yaml.YAMLError, ValueError) as exc:
        raise SetupValidationError([Issue("", f"cannot parse the file: {exc}")]) from None
    except RecursionError:
        raise SetupValidationError([Issue("", "cannot parse the file: it is nested too deeply")]) from None


def load_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML or JSON set-up file (JSON by the `.json` extension) into a mapping."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SetupValidationError([Issue("", f"file not found: {file}")]) from None
    except IsADirectoryError:
        raise SetupValidationError([Issue("", f"not a file: {file}")]) from None
    except UnicodeDecodeError:
        raise SetupValidationError([Issue("", f"the file is not UTF-8 text: {file}")]) from None
    except OSError as exc:
        raise SetupValidationError([Issue("", f"cannot read {file}: {exc.strerror or exc}")]) from None
    document = parse_document(text, json_format=file.suffix.lower() == ".json")
    if document is None:
        raise SetupValidationError([Issue("", f"the file is empty: {file}")])
    if not isinstance(document, dict):
        raise SetupValidationError([Issue("", "the top level of the file must be a mapping of sections "
                                              "(users:, sources:, …), not a list or a single value")])
    return document


def _substitute_string(value: str, loc: Loc, environ: Mapping[str, str], issues: list[Issue]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            issues.append(Issue(format_path(loc),
                                "“${” without a closing “}”; write “$${” for a literal “${”"))
            return token
        if not _ENV_NAME.fullmatch(name):
            issues.append(Issue(format_path(loc), f"“{token}” is not a valid environment variable "
                                                   "reference; write “$${” for a literal “${”"))
            return token
        if name not in environ:
            issues.append(Issue(format_path(loc), f"environment variable {name} is not set"))
            return token
        return environ[name]

    return _ENV_TOKEN.sub(replace, value)


def substitute_env(
    document: Any, environ: Mapping[str, str] | None = None, *, loc: Loc = ()
) -> tuple[Any, list[Issue]]:
    """Replace `${NAME}` in every string value (not in keys) with the environment variable.

    Returns a new document and the problems found (missing variables, with their paths). The
    input is not modified, so a caller may keep it (e.g. a web form showing what was entered).
    """
    environ = os.environ if environ is None else environ
    issues: list[Issue] = []
    budget = [MAX_VALUES]

    def walk(value: Any, loc: tuple[str | int, ...]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise SetupValidationError([Issue("", f"the document has more than {MAX_VALUES} values")])
        if isinstance(value, str):
            return _substitute_string(value, loc, environ, issues) if "${" in value else value
        if isinstance(value, dict):
            return {key: walk(item, (*loc, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*loc, index)) for index, item in enumerate(value)]
        return value

    try:
        result = walk(document, tuple(loc))
    except RecursionError:
        raise SetupValidationError([Issue("", "the document is nested too deeply")]) from None
    return result, issues
