"""Fixtures for the CRM core tests. Data is built through the services, as in production."""

from __future__ import annotations

import pytest

from voronka.crm.models import (
    CloseReason,
    Communication,
    Company,
    Contact,
    CrmSettings,
    Deal,
    Lead,
    Pipeline,
    Semantics,
    Stage,
    TimelineEvent,
)


@pytest.fixture
def deal_reason(db) -> CloseReason:
    return CloseReason.objects.get(entity="deal", code="PRICE")


@pytest.fixture
def rules(db):
    """Set the company's deal amount rules (the single CrmSettings row)."""
    def set_rules(**values) -> CrmSettings:
        crm_settings = CrmSettings.load()
        for name, value in values.items():
            setattr(crm_settings, name, value)
        crm_settings.save()
        return crm_settings
    return set_rules


@pytest.fixture
def other_pipeline(db) -> Pipeline:
    """A second pipeline («Опт») with two working stages, a success and a failure one."""
    pipeline = Pipeline.objects.create(code="WHOLESALE", name="Опт", sort=20)
    for code, name, semantics, sort in (
        ("W_NEW", "Заявка", Semantics.PROCESS, 10),
        ("W_TALK", "Переговоры", Semantics.PROCESS, 20),
        ("W_WON", "Отгружено", Semantics.SUCCESS, 30),
        ("W_LOST", "Отказ", Semantics.FAILURE, 40),
    ):
        Stage.objects.create(pipeline=pipeline, code=code, name=name, semantics=semantics,
                             sort=sort)
    return pipeline


@pytest.fixture
def stage(main_pipeline):
    """A stage of the main pipeline by its code."""
    def get(code: str) -> Stage:
        return main_pipeline.stages.get(code=code)
    return get


COUNTED_MODELS = (Lead, Contact, Company, Deal, Communication, TimelineEvent)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


@pytest.fixture
def counts(db):
    """`counts()` returns the number of rows of every CRM table a service may write."""
    return row_counts
