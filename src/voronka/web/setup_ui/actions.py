"""Settings actions beyond create/edit: deprecate a status, reorder stages, check a mailbox."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.crm.models import LeadStatus, Pipeline
from voronka.crm.services.dictionaries import lead_status_deprecate
from voronka.mail.models import Mailbox
from voronka.web.setup_ui.pages import stages_reorder


@require_POST
def status_deprecate(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(LeadStatus, pk=pk)
    try:
        lead_status_deprecate(status=status, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Статус «%(name)s» больше нельзя выбрать.") % {"name": status.name})
    return redirect("setup_ui:list", section="statuses")


@require_POST
def stage_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop posts the stage ids in their new order (HTMX); answers with a toast."""
    pipeline = get_object_or_404(Pipeline, pk=pk)
    try:
        ids = [int(value) for value in request.POST.getlist("stage")]
        stages_reorder(pipeline, ids)
    except (ValueError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Неверный список стадий.")
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    if not request.headers.get("HX-Request"):
        messages.success(request, _("Порядок стадий сохранён."))
        return redirect("setup_ui:edit", section="pipelines", pk=pipeline.pk)
    response = HttpResponse(status=204)
    response["HX-Trigger"] = json.dumps({"toast": {"text": _("Порядок стадий сохранён.")}})
    return response


@require_POST
def mailbox_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Log in to the IMAP server and open the folder, to show a typo before the poller meets it."""
    from voronka.mail.imap import folder_examine, imap_connect

    mailbox = get_object_or_404(Mailbox, pk=pk)
    if not mailbox.imap_enabled:
        messages.error(request, _("У ящика выключен IMAP: проверять нечего."))
        return redirect("setup_ui:edit", section="mailboxes", pk=pk)
    try:
        conn = imap_connect(mailbox)
        try:
            folder_examine(conn, mailbox)
        finally:
            conn.logout()
    except Exception as exc:  # socket, TLS and IMAP errors all mean "does not work"
        messages.error(request, _("Не удалось подключиться: %(error)s") % {"error": exc})
    else:
        messages.success(request, _("Подключение работает: вход выполнен, папка открыта."))
    return redirect("setup_ui:edit", section="mailboxes", pk=pk)
