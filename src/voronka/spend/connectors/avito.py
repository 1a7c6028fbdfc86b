"""Avito: an access token by OAuth client_credentials, the daily spendings, the tracked calls.

- `POST {base}/token` (form: grant_type=client_credentials, client_id, client_secret) →
  `{"access_token", "expires_in", "token_type": "Bearer"}`;
- `POST {base}/stats/v2/accounts/{user_id}/spendings` with
  `{"dateFrom", "dateTo", "grouping": "day"}` → `{"result": {"groupings": [{"date",
  "spendings": [{"slug", "value"}], "total"}]}}`; values in rubles, VAT included;
- `POST {base}/calltracking/v1/getCalls/` with `{"dateTimeFrom", "dateTimeTo", "limit",
  "offset"}` → `{"calls": [{"callId", "itemId", "buyerPhone", "sellerPhone", "virtualPhone",
  "callTime", "talkDuration", "waitingDuration"}]}`, page by page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from voronka.spend.connectors import Answer, ConnectorError, http_post, secret
from voronka.spend.models import SpendConnector
from voronka.spend.services import SpendInput, vat_included

CALLS_PAGE = 100
MAX_CALL_PAGES = 200
SPENDING_NAMES = {"promotion": "Продвижение", "presence": "Размещение", "commission": "Комиссия",
                  "rest": "Прочее", "vas": "Услуги продвижения", "placement": "Размещение",
                  "cpa": "Оплата за действие", "cpc": "Оплата за клик"}

Log = Callable[[str], None]


def _error(answer: Answer, what: str) -> ConnectorError:
    payload = answer.json()
    message = ""
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or error.get("code") or "")
        elif error:
            message = " ".join(str(payload.get(k) or "") for k in ("error", "error_description")).strip()
        message = message or str(payload.get("message") or "")
    message = message or answer.body.decode("utf-8", errors="replace")[:300]
    if answer.status in (401, 403) or "invalid_client" in message or "invalid_grant" in message:
        return ConnectorError(f"Авито отказал в доступе ({what}, HTTP {answer.status}): {message}. "
                              "Проверьте client_id и client_secret подключения.")
    return ConnectorError(f"Авито: {what} — HTTP {answer.status}: {message}")


def access_token(connector: SpendConnector) -> str:
    answer = http_post(f"{connector.api_base}/token", form={
        "grant_type": "client_credentials",
        "client_id": secret(connector.client_id, "client_id Авито"),
        "client_secret": secret(connector.client_secret, "client_secret Авито")})
    payload = answer.json()
    if answer.status != 200 or not isinstance(payload, dict) or not payload.get("access_token"):
        raise _error(answer, "получение токена")
    return str(payload["access_token"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _account(connector: SpendConnector) -> str:
    if not connector.account_id.strip():
        raise ConnectorError("Авито: не указан номер профиля (user_id) в подключении.")
    return connector.account_id.strip()


def spendings_fetch(connector: SpendConnector, token: str, date_from: dt.date,
                    date_to: dt.date) -> list[SpendInput]:
    url = f"{connector.api_base}/stats/v2/accounts/{_account(connector)}/spendings"
    answer = http_post(url, headers=_auth(token), json_body={
        "dateFrom": date_from.isoformat(), "dateTo": date_to.isoformat(), "grouping": "day"})
    payload = answer.json()
    if answer.status != 200 or not isinstance(payload, dict):
        raise _error(answer, "статистика расходов")
    groupings = (payload.get("result") or {}).get("groupings") or []
    items = []
    for group in groupings:
        try:
            day = dt.date.fromisoformat(str(group["date"])[:10])
            for spending in group.get("spendings") or []:
                value = Decimal(str(spending.get("value") or 0))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
                if value == 0:
                    continue
                slug = str(spending.get("slug") or "rest")
                items.append(SpendInput(source=connector.source, date_from=day, date_to=day,
                                        amount=vat_included(value, has_vat=True), campaign_id=slug[:64],
                                        campaign_name=SPENDING_NAMES.get(slug, slug)))
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            raise ConnectorError(
                f"Авито: непонятная строка статистики расходов: {str(group)[:200]}") from None
    return items


def calls_fetch(connector: SpendConnector, token: str, since: dt.datetime,
                until: dt.datetime) -> list[dict[str, Any]]:
    url = f"{connector.api_base}/calltracking/v1/getCalls/"
    calls: list[dict[str, Any]] = []
    for page in range(MAX_CALL_PAGES):
        answer = http_post(url, headers=_auth(token), json_body={
            "dateTimeFrom": since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dateTimeTo": until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "limit": CALLS_PAGE, "offset": page * CALLS_PAGE})
        payload = answer.json()
        if answer.status != 200 or not isinstance(payload, dict):
            raise _error(answer, "звонки")
        error = payload.get("error")
        if isinstance(error, dict) and error.get("code"):
            raise ConnectorError(f"Авито: звонки — {error.get('message') or error.get('code')}")
        batch = [c for c in payload.get("calls") or [] if isinstance(c, dict)]
        calls.extend(batch)
        if len(batch) < CALLS_PAGE:
            break
    return calls
