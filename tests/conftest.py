"""Shared fixtures. Data is built through the real services, as production builds it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.accounts.models import Role, User
from voronka.core.batch_cache import settled_forget
from voronka.crm.models import CloseReason, LeadStatus, Pipeline, Source
from voronka.crm.services.communications import CommunicationInput
from voronka.crm.services.deals import deal_create
from voronka.crm.services.leads import lead_create
from voronka.intake.selectors import telephony_connections_forget


@pytest.fixture(autouse=True)
def _fresh_connection_memo():
    """Each test starts without connections or settled lookups remembered from another test's
    rolled-back rows."""
    telephony_connections_forget()
    settled_forget()


@pytest.fixture
def make_user(db):
    def make(username: str, role: str = Role.MANAGER, **extra) -> User:
        return User.objects.create_user(username=username, password="pass-Voronka-2026",
                                        role=role, full_name=extra.pop("full_name", username),
                                        **extra)
    return make


@pytest.fixture
def manager(make_user) -> User:
    return make_user("manager", full_name="Анна Менеджерова")


@pytest.fixture
def other_manager(make_user) -> User:
    return make_user("manager2", full_name="Борис Продажин")


@pytest.fixture
def head(make_user) -> User:
    return make_user("head", Role.HEAD, full_name="Руководитель Отдела")


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def source(db) -> Source:
    return Source.objects.get(code="AVITO")


@pytest.fixture
def junk_reason(db) -> CloseReason:
    return CloseReason.objects.get(entity="lead", code="SPAM")


@pytest.fixture
def main_pipeline(db) -> Pipeline:
    return Pipeline.objects.get(code="MAIN")


@pytest.fixture
def status_in_process(db) -> LeadStatus:
    return LeadStatus.objects.get(code="IN_PROCESS")


@pytest.fixture
def make_lead(db, manager, source):
    def make(*, phones=("8 900 123-45-67",), emails=(), acting_user=None, **fields):
        fields.setdefault("responsible", manager)
        fields.setdefault("source", source)
        comms = [CommunicationInput("PHONE", p) for p in phones]
        comms += [CommunicationInput("EMAIL", e) for e in emails]
        return lead_create(acting_user=acting_user or manager, communications=comms, **fields)
    return make


@pytest.fixture
def make_deal(db, manager, source, main_pipeline):
    def make(*, title="Поставка плитки", amount=Decimal("15000"), acting_user=None, **fields):
        fields.setdefault("responsible", manager)
        fields.setdefault("source", source)
        return deal_create(title=title, amount=amount, acting_user=acting_user or manager,
                           **fields)
    return make
