"""The registry of sections: a new key is one module; all sections write in one transaction."""

from __future__ import annotations

import pytest

from tests.setup.helpers import db_snapshot
from voronka.crm.models import Source
from voronka.setup.context import SetupContext
from voronka.setup.errors import SetupValidationError
from voronka.setup.fields import Code, Name, Spec
from voronka.setup.registry import Entry, Registry, Section, registry
from voronka.setup.report import SectionResult
from voronka.setup.services import setup_apply

pytestmark = pytest.mark.django_db


class GreetingSpec(Spec):
    code: Code
    text: Name


def _apply_greetings(entries: list[Entry], ctx: SetupContext) -> SectionResult:
    result = SectionResult()
    for _path, spec in entries:
        result.record(f"greeting {spec.code}", created=True)
    return result


@pytest.fixture
def extra_section(monkeypatch):
    """Register a section for one test only."""
    def add(section: Section) -> None:
        monkeypatch.setattr(registry, "_sections", {**registry._sections, section.key: section})
    return add


def test_builtin_sections_in_apply_order():
    keys = registry.keys()
    assert keys[:2] == ["users", "sources"]
    assert {"lead_statuses", "pipelines", "deal_rules", "telephony", "tracked_numbers",
            "working_hours", "sla"} <= set(keys)
    # sections that refer to sources come after `sources`
    for dependent in ("tracked_numbers", "sla"):
        assert keys.index(dependent) > keys.index("sources")


def test_a_key_cannot_be_registered_twice():
    own = Registry()
    section = Section(key="greetings", schema=GreetingSpec, apply=_apply_greetings)
    own.register(section)
    with pytest.raises(ValueError, match="already registered"):
        own.register(section)


def test_a_new_section_is_one_registration(extra_section):
    extra_section(Section(key="greetings", schema=GreetingSpec, apply=_apply_greetings))
    report = setup_apply({"greetings": [{"code": "HELLO", "text": "Здравствуйте"}]})
    assert report.lines() == ["greetings: 1 created, 0 updated, 0 unchanged"]
    with pytest.raises(SetupValidationError) as caught:
        setup_apply({"greetings": [{"code": "HELLO", "txt": "x"}]})
    assert [str(i) for i in caught.value.issues] == [
        "greetings[0].text: required", "greetings[0].txt: unknown key (did you mean text?)"]


def test_a_section_sees_the_entries_of_the_others(extra_section):
    seen = {}

    def check(entries: list[Entry], ctx: SetupContext) -> None:
        # e.g. tracked_numbers checks that its source is in the database or in this file
        seen["sources"] = [spec.code for _path, spec in ctx.entries.get("sources", [])]

    extra_section(Section(key="greetings", schema=GreetingSpec, apply=_apply_greetings, check=check))
    setup_apply({"greetings": [], "sources": [{"code": "RADIO", "name": "Радио"}]}, dry_run=True)
    assert seen == {"sources": ["RADIO"]}


def test_an_error_while_applying_rolls_back_every_section(extra_section):
    def apply_and_fail(entries: list[Entry], ctx: SetupContext) -> SectionResult:
        ctx.error("greetings[0]", "refused while applying")
        return SectionResult()

    extra_section(Section(key="greetings", schema=GreetingSpec, apply=apply_and_fail))
    before = db_snapshot()
    with pytest.raises(SetupValidationError, match=r"greetings\[0\]: refused while applying"):
        setup_apply({"sources": [{"code": "RADIO", "name": "Радио"}],
                     "greetings": [{"code": "A", "text": "a"}]})
    assert db_snapshot() == before


def test_an_unexpected_exception_rolls_back_too(extra_section):
    def apply_and_crash(entries: list[Entry], ctx: SetupContext) -> SectionResult:
        raise RuntimeError("bug")

    extra_section(Section(key="greetings", schema=GreetingSpec, apply=apply_and_crash))
    with pytest.raises(RuntimeError):
        setup_apply({"sources": [{"code": "RADIO", "name": "Радио"}], "greetings": []})
    assert not Source.objects.filter(code="RADIO").exists()


def test_model_rules_the_schema_missed_are_reported_with_the_path(extra_section):
    def apply_unchecked(entries: list[Entry], ctx: SetupContext) -> SectionResult:
        for path, spec in entries:
            ctx.save(Source(code=spec.code.lower(), name=spec.text), path=path)
        return SectionResult()

    extra_section(Section(key="greetings", schema=GreetingSpec, apply=apply_unchecked))
    with pytest.raises(SetupValidationError) as caught:
        setup_apply({"greetings": [{"code": "A", "text": "a"}]})
    assert [i.path for i in caught.value.issues] == ["greetings[0].code"]
    assert not Source.objects.filter(code="a").exists()
