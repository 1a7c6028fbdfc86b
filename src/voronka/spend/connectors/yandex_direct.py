"""Yandex.Direct: daily cost per campaign from the Reports service (API v5).

`POST {base}/json/v5/reports` with a CAMPAIGN_PERFORMANCE_REPORT in TSV. The server answers
200 with the report, or 201/202 (queued / being built) with a `retryIn` header: the same
request is sent again after that many seconds. Errors are 4xx/5xx with
`{"error": {"error_code", "request_id", "error_string", "error_detail"}}`; code 53 is an
invalid or expired OAuth token.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from voronka.spend.connectors import Answer, ConnectorError, http_post, secret
from voronka.spend.models import SpendConnector
from voronka.spend.services import SpendInput, vat_included

FIELDS = ["Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost"]
MAX_ATTEMPTS = 30
DEFAULT_RETRY = 10
MAX_RETRY = 300
MICROS = Decimal(1_000_000)
TOKEN_ERROR = 53

Log = Callable[[str], None]


def report_body(date_from: dt.date, date_to: dt.date, *, name: str, include_vat: bool) -> dict:
    return {"params": {
        "SelectionCriteria": {"DateFrom": date_from.isoformat(), "DateTo": date_to.isoformat()},
        "FieldNames": FIELDS,
        "ReportName": name,
        "ReportType": "CAMPAIGN_PERFORMANCE_REPORT",
        "DateRangeType": "CUSTOM_DATE",
        "Format": "TSV",
        "IncludeVAT": "YES" if include_vat else "NO",
    }}


def report_headers(connector: SpendConnector) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {secret(connector.token, 'OAuth-токен Яндекс.Директа')}",
               "processingMode": "auto", "returnMoneyInMicros": "true",
               "skipReportHeader": "true", "skipReportSummary": "true", "Accept-Language": "ru"}
    if connector.client_login:
        headers["Client-Login"] = connector.client_login
    return headers


def error_message(answer: Answer) -> str:
    error = (answer.json() or {}).get("error") if isinstance(answer.json(), dict) else None
    if not isinstance(error, dict):
        text = answer.body.decode("utf-8", errors="replace")[:300]
        return f"Яндекс.Директ ответил HTTP {answer.status}: {text}"
    code = error.get("error_code")
    detail = " ".join(str(error.get(k) or "") for k in ("error_string", "error_detail")).strip()
    request_id = error.get("request_id") or answer.header("RequestId")
    if str(code) == str(TOKEN_ERROR):
        return ("Токен Яндекс.Директа недействителен или истёк (ошибка 53). Получите новый "
                f"OAuth-токен и сохраните его в подключении. Ответ API: {detail} (request_id {request_id})")
    return f"Яндекс.Директ: {detail} (код ошибки {code}, HTTP {answer.status}, request_id {request_id})"


def _retry_seconds(answer: Answer) -> int:
    try:
        return max(0, min(MAX_RETRY, int(answer.header("retryIn"))))
    except ValueError:
        return DEFAULT_RETRY


def report_fetch(connector: SpendConnector, date_from: dt.date, date_to: dt.date, *,
                 sleep: Callable[[float], None], log: Log) -> str:
    """The report's TSV text; waits (through `sleep`) while the report is queued or built."""
    url = f"{connector.api_base}/json/v5/reports"
    headers = report_headers(connector)
    body = report_body(date_from, date_to, include_vat=connector.include_vat,
                       name=f"voronka-{connector.slug}-{date_from}-{date_to}-{uuid.uuid4().hex[:8]}")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        answer = http_post(url, headers=headers, json_body=body)
        if answer.status == 200:
            return answer.body.decode("utf-8-sig", errors="replace")
        if answer.status in (201, 202):
            wait = _retry_seconds(answer)
            state = "поставлен в очередь" if answer.status == 201 else "формируется"
            log(f"Отчёт {state}, повтор через {wait} с (попытка {attempt} из {MAX_ATTEMPTS}).")
            sleep(wait)
            continue
        raise ConnectorError(error_message(answer))
    raise ConnectorError(f"Яндекс.Директ не подготовил отчёт за {MAX_ATTEMPTS} попыток; "
                         "синхронизация повторится по расписанию.")


def _number(text: str) -> Decimal:
    text = (text or "").strip()
    if text in ("", "--"):
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ConnectorError(f"Яндекс.Директ: в отчёте не число «{text[:30]}».") from None


def report_parse(text: str, connector: SpendConnector) -> list[SpendInput]:
    """TSV rows (the first line names the fields) → one spend per day and campaign."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("Total rows")]
    if not lines:
        return []
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if missing:
        raise ConnectorError(f"Яндекс.Директ: в отчёте нет колонок {', '.join(missing)}.")
    items = []
    for row in reader:
        try:
            day = dt.date.fromisoformat(row["Date"])
        except (TypeError, ValueError):
            raise ConnectorError(f"Яндекс.Директ: в отчёте не дата «{row['Date']}».") from None
        cost = (_number(row["Cost"]) / MICROS)
        items.append(SpendInput(
            source=connector.source, date_from=day, date_to=day,
            amount=vat_included(cost, has_vat=connector.include_vat),
            campaign_id=row["CampaignId"] or "", campaign_name=row["CampaignName"] or "",
            clicks=int(_number(row["Clicks"])), impressions=int(_number(row["Impressions"]))))
    return items


def fetch(connector: SpendConnector, date_from: dt.date, date_to: dt.date, *,
          sleep: Callable[[float], None], log: Log) -> list[SpendInput]:
    text = report_fetch(connector, date_from, date_to, sleep=sleep, log=log)
    items = report_parse(text, connector)
    log(f"Получен отчёт: строк {len(items)}.")
    return items
