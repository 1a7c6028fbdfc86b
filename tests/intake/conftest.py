from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from voronka.crm.models import Source
from voronka.intake.models import TelephonyConnection, TrackedNumber
from voronka.intake.telephony.signatures import mango_sign

MANGO_KEY = "5f4dcc3b5aa765d61d8327deb882cf99"
MANGO_SALT = "testsalt"


@pytest.fixture
def mango(db) -> TelephonyConnection:
    return TelephonyConnection.objects.create(provider="mango", slug="office", api_key=MANGO_KEY,
                                              salt=MANGO_SALT)


@pytest.fixture
def avito_line(db) -> TrackedNumber:
    return TrackedNumber.objects.create(number="+74950000001", source=Source.objects.get(code="AVITO"),
                                        campaign="avito-main")


@pytest.fixture
def post_mango(client, mango):
    """POST a MANGO event exactly as MANGO sends it: a signed form."""
    def post(kind: str, data: dict, *, sign: str | None = None, key: str = MANGO_KEY,
             slug: str = "office"):
        json_text = json.dumps(data, separators=(",", ":"))
        form = {"vpbx_api_key": key,
                "sign": mango_sign(MANGO_KEY, json_text, MANGO_SALT) if sign is None else sign,
                "json": json_text}
        return client.post(f"/integrations/mango/{slug}/events/{kind}", data=urlencode(form),
                           content_type="application/x-www-form-urlencoded")
    return post


def call_event(entry="E1", seq=1, state="Appeared", *, ts=1_700_000_000, client="79001234567",
               line="74950000001", extension=None, location="abonent", call_id="C1"):
    to = {"number": line, "line_number": line}
    if extension:
        to["extension"] = extension
    return {"entry_id": entry, "call_id": call_id, "timestamp": ts, "seq": seq,
            "call_state": state, "location": location, "from": {"number": client}, "to": to}


def summary_event(entry="E1", *, answered: bool, client="79001234567", line="74950000001",
                  created=1_700_000_000, talk=None, end=1_700_000_060, extension=None):
    to = {"number": line}
    if extension:
        to["extension"] = extension
    return {"entry_id": entry, "call_direction": 1, "from": {"number": client}, "to": to,
            "line_number": line, "create_time": created, "forward_time": created + 2,
            "talk_time": talk or 0, "end_time": end, "entry_result": 1 if answered else 0,
            "disconnect_reason": 1110}
