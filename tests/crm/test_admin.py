"""The admin pages open for an admin on real data (smoke test of the registrations)."""

import pytest

from voronka.crm.models import Deal, Lead
from voronka.crm.services.conversion import lead_convert


@pytest.mark.django_db
def test_admin_lists_and_cards_open(client, admin_user, make_lead):
    lead = make_lead(amount=1000, company_title="Ромашка")
    deal = lead_convert(lead=make_lead(phones=("+79001112233",)), amount=500).deal
    client.force_login(admin_user)
    for url in ("/admin/crm/lead/", f"/admin/crm/lead/{lead.pk}/change/", "/admin/crm/deal/",
                f"/admin/crm/deal/{deal.pk}/change/", "/admin/crm/contact/", "/admin/crm/company/",
                "/admin/intake/inboundevent/", "/admin/intake/telephonyconnection/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "UTM и отслеживание" in client.get(f"/admin/crm/lead/{lead.pk}/change/").content.decode()
    assert Lead.objects.count() == 2 and Deal.objects.count() == 1
