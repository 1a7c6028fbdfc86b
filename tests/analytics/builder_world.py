"""A list custom field of leads over the March world, for the builder's "uf:" dimension.

March leads (Moscow) and their «Тип машины» (UF_CAR):
  Mar 1 00:30 AVITO, new, handled        → Газель   (still Feb 28 in UTC)
  Mar 31 23:50 AVITO, junk, handled      → Фура
  Mar 15 12:00 YANDEX_DIRECT, converted  → Газель
  Mar 20 09:00 YANDEX_DIRECT, converted  → (no key)  → «не заполнено»
  Mar 10 08:00 SITE, converted, repeat   → ""        → «не заполнено»
  Jan 10 10:00 AVITO (outside March)     → Фура
"""

from __future__ import annotations

import pytest

from tests.analytics.world import at
from voronka.crm.models import CustomFieldDefinition, CustomFieldType, Entity, Lead

CAR_VALUES = {"2026-03-01 00:30": {"UF_CAR": "Газель"}, "2026-03-31 23:50": {"UF_CAR": "Фура"},
              "2026-03-15 12:00": {"UF_CAR": "Газель", "UF_NOTE": "x"}, "2026-03-20 09:00": {},
              "2026-03-10 08:00": {"UF_CAR": ""}, "2026-01-10 10:00": {"UF_CAR": "Фура"}}


@pytest.fixture
def car_field(march_world):
    field = CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_CAR", label="Тип машины",
                                                 field_type=CustomFieldType.LIST, options=["Газель", "Фура"])
    CustomFieldDefinition.objects.create(entity=Entity.LEAD, code="UF_NOTE", label="Заметка",
                                         field_type=CustomFieldType.STRING)
    CustomFieldDefinition.objects.create(entity=Entity.DEAL, code="UF_BODY", label="Кузов",
                                         field_type=CustomFieldType.LIST, options=["тент"])
    for moment, values in CAR_VALUES.items():
        assert Lead.objects.filter(created_at=at(moment)).update(custom_fields=values) == 1
    return field
