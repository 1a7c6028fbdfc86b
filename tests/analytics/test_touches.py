"""A touch belongs to one lead or call, even when the client is asked for by contact and company."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from voronka.analytics.selectors import client_touches
from voronka.crm.models import Company, Contact

pytestmark = pytest.mark.django_db


def test_a_lead_of_a_contact_and_its_company_is_one_touch(make_lead, manager):
    company = Company.objects.create(title="ООО Ромашка", responsible=manager)
    contact = Contact.objects.create(name="Иван", company=company, responsible=manager)
    lead = make_lead(title="Повторный заказ", contact=contact, company=company)
    now = timezone.now()
    touches = client_touches([contact.pk], [company.pk], now - dt.timedelta(days=28),
                             now + dt.timedelta(minutes=1))
    assert len(touches) == 1
    assert touches[0]["kind"] == "lead" and touches[0]["source_id"] == lead.source_id
