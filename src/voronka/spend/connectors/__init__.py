"""Connectors to advertising accounts: HTTP plumbing shared by Yandex.Direct and Avito."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from voronka.setup.loader import substitute_env

TIMEOUT = 60


class ConnectorError(Exception):
    """A sync cannot go on; the message (Russian) is what the batch log and the UI show."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


def http_post(url: str, *, headers: dict[str, str] | None = None, json_body: Any = None,
              form: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Answer:
    """POST and return the answer whatever its status; a network failure is a ConnectorError."""
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    else:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers.items()) if exc.headers else {}, exc.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectorError(f"Нет связи с {urllib.parse.urlsplit(url).netloc}: {reason}") from exc


def secret(value: str, label: str) -> str:
    """A stored secret, or the environment variable that `${NAME}` names."""
    resolved, issues = substitute_env(value or "")
    if issues:
        raise ConnectorError(f"{label}: не удалось подставить переменную окружения ({issues[0].message}).")
    if not resolved:
        raise ConnectorError(f"{label}: не заполнено в подключении.")
    return resolved
