"""Local HTTP servers that answer as Yandex.Direct's Reports API and Avito's API do.

Each server runs in a thread on 127.0.0.1 (a free port), records every request and plays a
script of answers per path (the last answer of a path repeats). Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    headers: Any  # email.message.Message: names are case-insensitive
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class FakeApi:
    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.requests.append(Seen(self.path, self.headers, body))  # case-insensitive
                replies = fake.script.get(self.path) or [Reply(404, b'{"message": "not found"}')]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def on(self, path: str, *replies: Reply) -> None:
        self.script[path] = list(replies)

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


# -- Yandex.Direct Reports API v5 --------------------------------------------------------------

DIRECT_PATH = "/json/v5/reports"


def direct_report(rows: list[tuple[str, str, str, int, int, int]]) -> Reply:
    """200: the TSV (skipReportHeader/skipReportSummary: field names, then the rows).
    Cost in micros, as with `returnMoneyInMicros: true`."""
    lines = ["Date\tCampaignId\tCampaignName\tImpressions\tClicks\tCost"]
    lines += ["\t".join(str(v) for v in row) for row in rows]
    return Reply(200, ("\n".join(lines) + "\n").encode(), {
        "Content-Type": "text/tab-separated-values; charset=utf-8", "RequestId": "8695244274068608439",
        "Units": "10/20828/64000"})


def direct_queued(status: int, retry_in: int) -> Reply:
    """201 (queued) or 202 (being built): no body, `retryIn` in seconds."""
    return Reply(status, b"", {"retryIn": str(retry_in), "reportsInQueue": "1",
                               "RequestId": "1995443227358113283"})


def direct_error(code: int, string: str, detail: str, status: int = 400) -> Reply:
    body = {"error": {"request_id": "8695244274068608439", "error_code": code, "error_string": string,
                      "error_detail": detail}}
    return Reply(status, json.dumps(body, ensure_ascii=False).encode(),
                 {"Content-Type": "application/json; charset=utf-8", "RequestId": "8695244274068608439"})


# -- Avito ------------------------------------------------------------------------------------

AVITO_TOKEN_PATH = "/token"
AVITO_CALLS_PATH = "/calltracking/v1/getCalls/"


def avito_spendings_path(user_id: str) -> str:
    return f"/stats/v2/accounts/{user_id}/spendings"


def _json(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body, ensure_ascii=False).encode(),
                 {"Content-Type": "application/json"})


def avito_token(token: str = "avito-access-token") -> Reply:
    return _json(200, {"access_token": token, "expires_in": 86400, "token_type": "Bearer"})


def avito_token_refused() -> Reply:
    return _json(400, {"error": "invalid_client", "error_description": "client_id или client_secret неверны"})


def avito_spendings(days: dict[str, dict[str, float]]) -> Reply:
    groupings = [{"date": day, "total": sum(values.values()),
                  "spendings": [{"slug": slug, "value": value} for slug, value in values.items()]}
                 for day, values in days.items()]
    return _json(200, {"result": {"groupings": groupings}})


def avito_calls(calls: list[dict[str, Any]]) -> Reply:
    return _json(200, {"calls": calls, "error": {"code": 0, "message": ""}})


def avito_unauthorized() -> Reply:
    return _json(401, {"error": {"code": 401, "message": "Unauthorized"}})
