"""The builder page: custom list fields of leads as dimensions, lead dimensions by date, the
refusals next to the dimensions field, and the backend's Russian column names everywhere."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.analytics.builder_world import car_field  # noqa: F401  (fixture)
from tests.analytics.conftest import march_world, world  # noqa: F401  (fixtures)
from tests.web.test_reports import MARCH, table
from voronka.analytics.models import SavedReport
from voronka.crm.models import CustomFieldDefinition


def params(dimensions, measures=("leads", "converted_leads", "conversion"), **extra):
    return {"run": "1", "dimensions": list(dimensions), "measures": list(measures), **MARCH, **extra}


def dimensions_field(page: str) -> str:
    """The HTML of the field that holds the dimension checkboxes."""
    return re.search(r'(<div class="field[^"]*">\s*<fieldset><legend class="label">Измерения'
                     r'.*?</fieldset>.*?)<div class="field', page, re.S).group(1)


def test_list_fields_of_leads_are_offered(car_field, client_for, head):  # noqa: F811
    page = client_for(head).get("/reports/builder/").content.decode()
    field = dimensions_field(page)
    assert 'value="uf:UF_CAR"' in field and "Поле: Тип машины" in field
    # A string field of leads and a list field of deals are not.
    assert "UF_NOTE" not in page and "UF_BODY" not in page


def test_custom_field_dimension_table(car_field, client_for, head):  # noqa: F811
    response = client_for(head).get("/reports/builder/", params(["uf:UF_CAR"]))
    assert response.status_code == 200
    rows = table(response.content.decode())
    assert rows["Газель"]["Лиды"] == "2" and rows["Газель"]["Сконвертированные лиды"] == "1"
    assert rows["Газель"]["Конверсия в сделку"] == "50,0\u00a0%"
    assert rows["Фура"]["Лиды"] == "1" and rows["не заполнено"]["Лиды"] == "2"
    assert rows["Итого"]["Лиды"] == "5"
    assert "Поле: Тип машины" in response.content.decode()


def test_lead_dimension_with_day(car_field, client_for, head):  # noqa: F811
    response = client_for(head).get("/reports/builder/", params(["status", "day"], ["leads"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<th scope=\"col\">Статус лида</th><th scope=\"col\">День</th>" in html
    assert "2026-03-01" in html and "2026-03-31" in html


def test_impossible_combination_is_400_next_to_dimensions(car_field, client_for, head):  # noqa: F811
    response = client_for(head).get("/reports/builder/", params(["uf:UF_CAR", "pipeline"]))
    assert response.status_code == 400
    field = dimensions_field(response.content.decode())
    assert "field--error" in field and "у лида нет направления" in field
    assert "report-table" not in response.content.decode()
    # Saving it is refused too.
    from urllib.parse import urlencode

    query = urlencode(params(["status", "pipeline"]), doseq=True)
    response = client_for(head).post(f"/reports/builder/save/?{query}", {"name": "Нельзя"})
    assert response.status_code == 400 and not SavedReport.objects.exists()


def test_unknown_custom_field_is_400_not_500(car_field, client_for, head):  # noqa: F811
    response = client_for(head).get("/reports/builder/", params(["uf:UF_NOPE"]))
    assert response.status_code == 400 and "field--error" in dimensions_field(response.content.decode())


def test_saved_report_of_a_deleted_field(car_field, client_for, head):  # noqa: F811
    saved = SavedReport.objects.create(name="По машинам", owner=head, dimensions=["uf:UF_CAR"],
                                       measures=["leads"], pinned_to_dashboard=True)
    client = client_for(head)
    page = client.get(f"/reports/saved/{saved.pk}/", MARCH).content.decode()
    assert "Поле: Тип машины" in page and table(page)["Газель"]["Лиды"] == "2"
    CustomFieldDefinition.objects.filter(code="UF_CAR").delete()
    response = client.get(f"/reports/saved/{saved.pk}/", MARCH)
    assert response.status_code == 400
    assert "Нет пользовательского поля лидов с кодом «UF_CAR»" in response.content.decode()
    response = client.get("/reports/dashboard/")
    assert response.status_code == 200 and "«UF_CAR»" in response.content.decode()


def test_exports_carry_the_backend_labels(car_field, client_for, head):  # noqa: F811
    response = client_for(head).get("/reports/builder/", params(["uf:UF_CAR", "month"], ["leads"],
                                                                format="xlsx"))
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert values[2] == ("Поле: Тип машины", "Месяц", "Лиды")
    assert ("Газель", "2026-03", 2) in values
    csv = client_for(head).get("/reports/builder/", params(["uf:UF_CAR"], ["leads"], format="csv"))
    assert csv.content.decode("utf-8-sig").splitlines()[0] == "uf:UF_CAR,leads"
