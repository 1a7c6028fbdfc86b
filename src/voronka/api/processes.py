"""/processes: the business processes defined in code, and starting one.

The body of a start is the process's parameters as one JSON object; the process itself checks
them (`GET /processes` lists each process's parameters), so a new process needs no new
schema here. A refusal is a 400 with the field that is wrong, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from voronka.api.schemas import MessageOut, StorableModel, ValidationErrorOut
from voronka.automation.processes import PROCESSES

router = Router(tags=["processes"])

ERRORS = {400: ValidationErrorOut, 401: MessageOut, 404: MessageOut, 413: MessageOut, 422: MessageOut}


class ParamOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    help: str
    minimum: int | None = None
    maximum: int | None = None


class ProcessOut(Schema):
    name: str
    label: str
    description: str
    params: list[ParamOut]


class ProcessStartIn(StorableModel):
    """Any parameters; those of the process are checked by it (a 400 names a wrong one).

    A plain pydantic model, not a ninja Schema: Schema reads fields through its getter and
    would drop the extra keys, which here are all the parameters."""

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "example": {"deal_id": 42, "count": 3, "titles": ["Пропуск на МКАД", "Пропуск на ТТК",
                                                          "Пропуск на СК"]}})


class ProcessStartOut(Schema):
    process: str
    summary: str
    created: dict[str, list[int]]


@router.get("", response={200: list[ProcessOut], **ERRORS}, summary="Business processes and their parameters")
def process_list(request: HttpRequest):
    return [process.describe() for process in PROCESSES.values()]


@router.post("/{name}/start", response={201: ProcessStartOut, **ERRORS},
             summary="Start a business process (all or nothing)")
def process_start_view(request: HttpRequest, name: str, payload: ProcessStartIn):
    """`repeat-lead-deal`: `{"deal_id": …, "count": N, "titles": [...]}` makes N converted
    repeat leads and deals from a won deal. 404 for an unknown process or a deal the token's
    user may not see; 400 for a deal that is not won, N outside 1..100, titles that are
    not exactly N non-blank strings of at most 255 characters, or a parameter the process
    does not have. See docs/processes.md."""
    process = PROCESSES.get(name)
    if process is None:
        raise HttpError(404, f"Нет бизнес-процесса «{name}».")
    params: dict[str, Any] = payload.model_dump()
    try:
        result = process.start(acting_user=request.auth, params=params)
    except ObjectDoesNotExist:
        raise Http404 from None
    return Status(201, {"process": name, "summary": result.summary, "created": result.created})
