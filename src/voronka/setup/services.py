"""Apply a set-up document: validate all of it, then write it in one transaction."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from pydantic import ValidationError

# Importing the package registers the built-in sections.
import voronka.setup.sections  # noqa: F401
from voronka.setup.context import SetupContext
from voronka.setup.errors import Issue, SetupValidationError, format_path
from voronka.setup.loader import load_document, substitute_env
from voronka.setup.messages import issues_from_validation_error, unknown_key_message
from voronka.setup.registry import Entry, Section, registry
from voronka.setup.report import SetupReport


def _parse_section(section: Section, value: Any, issues: list[Issue]) -> list[Entry]:
    """Validate one section item by item, so every invalid item is reported, not just the first."""
    if value is None:
        return []  # `users:` with nothing under it, e.g. every item commented out
    if not section.many:
        raw_items: list[tuple[tuple[str | int, ...], Any]] = [((section.key,), value)]
    elif isinstance(value, list):
        raw_items = [((section.key, index), item) for index, item in enumerate(value)]
    else:
        issues.append(Issue(section.key, "must be a list of items (each starting with “- ”)"))
        return []
    entries = []
    for loc, raw in raw_items:
        try:
            spec = section.schema.model_validate(raw)
        except ValidationError as exc:
            issues.extend(issues_from_validation_error(exc, model=section.schema, prefix=loc))
        else:
            entries.append(Entry(format_path(loc), spec))
    return entries


def _item_index(issue: Issue) -> int:
    """The item an issue is about (`users[3]…` → 3), to list the issues in the order of the file."""
    match = re.match(r"[^\[.]*\[(\d+)\]", issue.path)
    return int(match.group(1)) if match else -1


def _parse(document: Any, environ: Mapping[str, str]) -> tuple[dict[str, list[Entry]], list[Issue]]:
    """The valid entries of every section, and every problem, in the order of the file."""
    if not isinstance(document, dict):
        raise SetupValidationError([Issue("", "the top level of the file must be a mapping of sections "
                                              "(users:, sources:, …), not a list or a single value")])
    issues: list[Issue] = []
    parsed: dict[str, list[Entry]] = {}
    for key, value in document.items():
        if not isinstance(key, str):
            issues.append(Issue("", f"top-level key {key!r} must be text (a section name)"))
            continue
        section = registry.get(key)
        if section is None:
            issues.append(Issue(format_path((key,)), unknown_key_message(key, registry.keys())))
            continue
        value, env_issues = substitute_env(value, environ, loc=(key,))
        schema_issues: list[Issue] = []
        parsed[key] = _parse_section(section, value, schema_issues)
        # A missing variable leaves `${NAME}` in place; a schema error about that text would repeat it.
        env_paths = {issue.path for issue in env_issues}
        section_issues = env_issues + [issue for issue in schema_issues if issue.path not in env_paths]
        issues += sorted(section_issues, key=_item_index)
    # Sections are checked and applied in the order of registration, whatever the file's order.
    entries = {section.key: parsed[section.key] for section in registry if section.key in parsed}
    return entries, issues


def _check_and_apply(entries: dict[str, list[Entry]], issues: list[Issue], dry_run: bool) -> SetupReport:
    ctx = SetupContext(dry_run=dry_run, entries=entries)
    sections = [section for section in registry if section.key in entries]
    # The checks run on the valid entries even when others are invalid, so that one run reports
    # every problem; and all of them run before the first write.
    for section in sections:
        if section.check is not None:
            section.check(entries[section.key], ctx)
    if issues or ctx.issues:
        raise SetupValidationError(issues + ctx.issues)
    report = SetupReport(dry_run=dry_run)
    for section in sections:
        report.sections[section.key] = section.apply(entries[section.key], ctx)
    if ctx.issues:
        # Raised inside the transaction, so what the earlier sections wrote is rolled back.
        raise SetupValidationError(ctx.issues)
    return report


def setup_apply(
    document: Any, *, dry_run: bool = False, environ: Mapping[str, str] | None = None
) -> SetupReport:
    """Validate `document` (a parsed set-up file) as a whole, then create or update what it names.

    Raises SetupValidationError listing every problem; then nothing is written. With `dry_run`
    nothing is written either, and the report says what would change. `environ` (default
    os.environ) supplies the `${NAME}` secrets.
    """
    entries, issues = _parse(document, os.environ if environ is None else environ)
    if dry_run or issues:
        # With issues this only collects the checks' problems too, and raises before any write.
        return _check_and_apply(entries, issues, dry_run=True)
    with transaction.atomic():
        # The checks read in the same transaction as the writes, so nothing changes in between.
        return _check_and_apply(entries, [], dry_run=False)


def setup_apply_file(
    path: str | os.PathLike[str], *, dry_run: bool = False, environ: Mapping[str, str] | None = None
) -> SetupReport:
    """Read a YAML or JSON file and apply it (see setup_apply)."""
    return setup_apply(load_document(path), dry_run=dry_run, environ=environ)
