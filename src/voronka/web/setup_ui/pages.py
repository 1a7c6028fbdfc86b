"""What the richer settings pages add to the generic form: webhook URLs, stages, refusals."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from voronka.accounts.models import User
from voronka.crm.models import Pipeline, Stage
from voronka.intake.models import TelephonyConnection, TelephonyProvider
from voronka.web.setup_ui import rules


def webhook_urls(request: HttpRequest, connection: TelephonyConnection) -> list[tuple[str, str]]:
    """(what to paste where, absolute URL) for the connection's PBX."""
    slug = connection.slug
    if connection.provider == TelephonyProvider.MANGO:
        # MANGO appends /events/call, /events/summary, /events/recording itself.
        base = reverse("intake:mango-event", kwargs={"slug": slug, "kind": "call"}).rsplit("/events/", 1)[0]
        return [(_("«Адрес внешней системы» в API коннекторе MANGO OFFICE"),
                 request.build_absolute_uri(base))]
    if connection.provider == TelephonyProvider.ZADARMA:
        return [(_("«Уведомления о звонках в АТС» в кабинете Zadarma (со слешем в конце)"),
                 request.build_absolute_uri(reverse("intake:zadarma-event", kwargs={"slug": slug})))]
    return [(_("POST-запросы о звонках от вашей АТС (JSON, подпись HMAC)"),
             request.build_absolute_uri(reverse("intake:generic-call-event", kwargs={"slug": slug})))]


def telephony_context(request: HttpRequest, connection: TelephonyConnection | None) -> dict:
    staff = User.objects.filter(is_active=True).order_by("extension", "full_name")
    return {
        "webhooks": webhook_urls(request, connection) if connection else [],
        "extensions": [u for u in staff if u.extension],
        "without_extension": [u for u in staff if not u.extension],
    }


def pipeline_context(request: HttpRequest, pipeline: Pipeline | None) -> dict:
    if pipeline is None:
        return {}
    return {"stages": list(pipeline.stages.order_by("sort", "id"))}


def stage_context(request: HttpRequest, stage: Stage | None) -> dict:
    pipeline_id = stage.pipeline_id if stage else request.GET.get("pipeline") or request.POST.get("pipeline")
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first() if str(pipeline_id or "").isdigit() else None
    if pipeline is None:
        return {}
    return {"parent": {"url": f"/settings/pipelines/{pipeline.pk}/", "title": pipeline.name}}


def stage_delete(stage: Stage, user: User | None = None) -> None:
    """Delete a stage without deals, if the pipeline keeps a stage of every meaning."""
    if stage.deals.exists():
        raise ValidationError(_("На стадии «%(name)s» есть сделки: сначала перенесите их.")
                              % {"name": stage.name})
    missing = rules.pipeline_missing_meanings(stage.pipeline, without=stage)
    if missing:
        raise ValidationError(_("Нельзя удалить: в направлении не останется стадии вида %(missing)s.")
                              % {"missing": ", ".join(missing)})
    stage.delete()


@transaction.atomic
def stages_reorder(pipeline: Pipeline, stage_ids: list[int]) -> None:
    """Store the board order the admin dragged: every stage of the pipeline, each once."""
    stages = {s.pk: s for s in Stage.objects.select_for_update().filter(pipeline=pipeline)}
    if sorted(stage_ids) != sorted(stages):
        raise ValidationError(_("Список стадий устарел: обновите страницу."))
    for index, pk in enumerate(stage_ids):
        stages[pk].sort = (index + 1) * 10
    Stage.objects.bulk_update(stages.values(), ["sort"])
