"""The lead-status clean-up (seed 002): from a funnel built on lead statuses to one on deals.

The four steps of the seed, as one resumable job:

1. every mapped intermediate status is marked «Не использовать» and greyed
   (`lead_status_deprecate`);
2. the leads stuck in those statuses are converted into contact (+ company) + deal at the
   mapped stage, or moved to NEW / IN_PROCESS, or closed as junk with the chosen reason;
3. a system guard robot per deprecated status sends a lead that still gets there (imports,
   old integrations, direct writes) back to NEW and reminds whoever did it;
4. a deprecated status with no leads left can be deleted, its guard robot with it.

A mapping is plain text, the same in the CLI, the settings page and the job row:
`PIPELINE:STAGE` — a deal at that stage; `JUNK:REASON` — closed as junk with that lead close
reason; a bare code — that working lead status (NEW, IN_PROCESS); a bare code that is no
lead status — a stage of the chosen pipeline.

Step 2 runs in batches, each in its own transaction together with the job's counters, so an
interrupted job knows exactly what is done. A lead leaves the mapped statuses in the same
transaction that converts or moves it, so resuming (which only looks at leads still in the
mapped statuses) never converts a lead twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from voronka.automation.models import CleanupState, Robot, RobotEntity, StatusCleanupJob, Trigger
from voronka.core.batch_cache import batch_cache, batch_cache_forget
from voronka.crm.models import (
    CloseReason,
    Communication,
    Company,
    Contact,
    CrmSettings,
    Entity,
    Lead,
    LeadStatus,
    Pipeline,
    Semantics,
    Stage,
)
from voronka.crm.services.conversion import lead_convert
from voronka.crm.services.deals import deal_amount_resolve, deal_move
from voronka.crm.services.dictionaries import (
    PROTECTED_STATUS_CODES,
    lead_status_delete,
    lead_status_deprecate,
)
from voronka.crm.services.leads import lead_change_status, lead_close_as_junk

JUNK_PREFIX = "JUNK:"
GUARD_BACK_TO = "NEW"
DEFAULT_BATCH = 500
MAX_BATCH = 5000
ERRORS_KEPT = 50
# A running job that has not written a batch for this long is taken for dead and may resume.
STALE_AFTER = dt.timedelta(minutes=10)


class TargetKind:
    STAGE = "stage"
    STATUS = "status"
    JUNK = "junk"


@dataclass(frozen=True)
class Target:
    kind: str
    spec: str
    stage: Stage | None = None
    status: LeadStatus | None = None
    reason: CloseReason | None = None

    @property
    def label(self) -> str:
        if self.kind == TargetKind.STAGE:
            return _("сделка: %(p)s → %(s)s") % {"p": self.stage.pipeline.name, "s": self.stage.name}
        if self.kind == TargetKind.STATUS:
            return _("статус «%(s)s»") % {"s": self.status.name}
        return _("некачественный: %(r)s") % {"r": self.reason.name}


@dataclass
class Plan:
    """A checked mapping: the statuses to clean up, each with where its leads go."""

    targets: dict[str, Target]  # status code → target
    statuses: dict[str, LeadStatus]
    pipeline: Pipeline | None = None

    @property
    def mapping(self) -> dict[str, str]:
        return {code: target.spec for code, target in self.targets.items()}

    def target_of(self, lead: Lead) -> Target:
        return next(self.targets[code] for code, status in self.statuses.items()
                    if status.pk == lead.status_id)


# -- reading -----------------------------------------------------------------------------

@dataclass
class StatusCount:
    status: LeadStatus
    open: int
    total: int
    mappable: bool


def status_counts() -> list[StatusCount]:
    """Every lead status with how many leads it holds (open ones, and all)."""
    # GROUP BY queries ignore Meta.ordering: the list order is asked for explicitly.
    statuses = LeadStatus.objects.annotate(
        n_total=Count("leads"), n_open=Count("leads", filter=Q(leads__closed_at__isnull=True))
    ).order_by("sort", "id")
    return [StatusCount(s, s.n_open, s.n_total, _mappable(s)) for s in statuses]


def _mappable(status: LeadStatus) -> bool:
    return status.semantics == Semantics.PROCESS and status.code not in PROTECTED_STATUS_CODES


def target_choices(pipeline: Pipeline | None) -> list[tuple[str, str]]:
    """What a status may be mapped to: the working stages of the pipeline, working statuses,
    and junk with each active lead close reason."""
    choices: list[tuple[str, str]] = []
    if pipeline is not None:
        for stage in pipeline.stages.filter(semantics=Semantics.PROCESS).order_by("sort", "id"):
            choices.append((f"{pipeline.code}:{stage.code}",
                            _("Сделка: %(s)s") % {"s": stage.name}))
    for status in LeadStatus.objects.filter(code__in=("NEW", "IN_PROCESS"), deprecated=False):
        choices.append((status.code, _("Лид: %(s)s") % {"s": status.name}))
    for reason in CloseReason.objects.filter(entity=Entity.LEAD, is_active=True):
        choices.append((f"{JUNK_PREFIX}{reason.code}", _("Некачественный: %(r)s") % {"r": reason.name}))
    return choices


# -- checking a mapping ------------------------------------------------------------------

def _target_parse(spec: str, pipeline: Pipeline | None, sources: set[str]) -> Target:
    spec = (spec or "").strip()
    if spec.upper().startswith(JUNK_PREFIX):
        code = spec[len(JUNK_PREFIX):]
        reason = CloseReason.objects.filter(entity=Entity.LEAD, code=code, is_active=True).first()
        if reason is None:
            raise ValidationError(_("нет причины закрытия лида с кодом «%(c)s»") % {"c": code})
        return Target(TargetKind.JUNK, f"{JUNK_PREFIX}{code}", reason=reason)
    if ":" in spec:
        pipeline_code, stage_code = spec.split(":", 1)
        stage_pipeline = Pipeline.objects.filter(code=pipeline_code).first()
        if stage_pipeline is None:
            raise ValidationError(_("нет направления с кодом «%(c)s»") % {"c": pipeline_code})
        if pipeline is not None and stage_pipeline.pk != pipeline.pk:
            raise ValidationError(_("стадия не из выбранного направления «%(p)s»")
                                  % {"p": pipeline.name})
    else:
        status = LeadStatus.objects.filter(code=spec).first()
        if status is not None:
            if status.deprecated or status.semantics != Semantics.PROCESS or spec in sources:
                raise ValidationError(_("«%(c)s» — не рабочий статус, в который можно перенести "
                                        "лиды") % {"c": spec})
            return Target(TargetKind.STATUS, spec, status=status)
        if pipeline is None:
            raise ValidationError(_("нет статуса лида «%(c)s»; стадию сделки пишите как "
                                    "НАПРАВЛЕНИЕ:СТАДИЯ") % {"c": spec})
        stage_pipeline, stage_code = pipeline, spec
    stage = stage_pipeline.stages.filter(code=stage_code).first()
    if stage is None:
        raise ValidationError(_("нет стадии «%(s)s» в направлении «%(p)s»")
                              % {"s": stage_code, "p": stage_pipeline.name})
    if stage.semantics != Semantics.PROCESS:
        raise ValidationError(_("стадия «%(s)s» закрывает сделку; выберите рабочую стадию")
                              % {"s": stage.name})
    return Target(TargetKind.STAGE, f"{stage_pipeline.code}:{stage.code}",
                  stage=Stage.objects.select_related("pipeline").get(pk=stage.pk))


def target_label(spec: str, pipeline: Pipeline | None = None) -> str:
    """A stored target spec in words, or the spec itself once its stage or reason is gone."""
    try:
        return str(_target_parse(spec, pipeline, set()).label)
    except ValidationError:
        return spec


def plan_parse(mapping: dict[str, str], pipeline_code: str = "") -> Plan:
    """Check a mapping (status code → target spec); refuse with every problem at once."""
    pipeline = None
    if pipeline_code:
        pipeline = Pipeline.objects.filter(code=pipeline_code).first()
        if pipeline is None:
            raise ValidationError(_("Нет направления с кодом «%(c)s».") % {"c": pipeline_code})
    if not mapping:
        raise ValidationError(_("Выберите хотя бы один статус и куда перенести его лиды."))
    statuses = {s.code: s for s in LeadStatus.objects.filter(code__in=list(mapping))}
    errors, targets = [], {}
    for code, spec in mapping.items():
        status = statuses.get(code)
        if status is None:
            errors.append(_("%(c)s: нет статуса лида с таким кодом") % {"c": code})
            continue
        if not _mappable(status):
            errors.append(_("%(c)s: системный или закрывающий статус не переносится") % {"c": code})
            continue
        try:
            targets[code] = _target_parse(spec, pipeline, set(mapping))
        except ValidationError as error:
            errors.append(f"{code}: {'; '.join(error.messages)}")
    if errors:
        raise ValidationError(errors)
    return Plan(targets=targets, statuses=statuses, pipeline=pipeline)


# -- the dry run -------------------------------------------------------------------------

@dataclass
class PreviewLine:
    status: LeadStatus
    target: Target
    leads: int = 0
    new_contacts: int = 0
    existing_contacts: int = 0
    new_companies: int = 0
    existing_companies: int = 0
    refused: int = 0  # the amount rules would refuse the deal
    without_amount: int = 0  # gets the company minimum


@dataclass
class Preview:
    lines: list[PreviewLine]
    problems: list[str] = field(default_factory=list)

    @property
    def leads(self) -> int:
        return sum(line.leads for line in self.lines)


def _owners_by_key(keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    """Existing contacts/companies by (kind, normalized value), in chunks (SQL variable limits)."""
    found: dict = {}
    values = sorted({value for _kind, value in keys})
    for start in range(0, len(values), 500):
        rows = (Communication.objects.filter(normalized__in=values[start:start + 500], lead__isnull=True)
                .values_list("kind", "normalized", "contact_id", "company_id"))
        for kind, value, contact_id, company_id in rows:
            if (kind, value) in keys:
                found.setdefault((kind, value), (contact_id, company_id))
    return found


def _lead_keys(lead_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    keys: dict[int, set] = {}
    for start in range(0, len(lead_ids), 500):
        rows = (Communication.objects.filter(lead__in=lead_ids[start:start + 500])
                .exclude(normalized="").values_list("lead_id", "kind", "normalized"))
        for lead_id, kind, value in rows:
            keys.setdefault(lead_id, set()).add((kind, value))
    return keys


def _amount_problem(amount: Decimal | None, rules: CrmSettings) -> str:
    try:
        deal_amount_resolve(rules.deal_amount_or_minimum(amount), rules)
    except ValidationError as error:
        return "; ".join(error.messages)
    return ""


def _preview_stage_line(line: PreviewLine, rows: list[dict], owners: dict, lead_keys: dict,
                        seen: set, rules: CrmSettings, problems: list[str]) -> None:
    for row in rows:
        keys = lead_keys.get(row["pk"], set())
        matched = [owners[k] for k in keys if k in owners]
        if row["contact_id"] or any(c for c, _co in matched) or keys & seen:
            line.existing_contacts += 1
        else:
            line.new_contacts += 1
        seen |= keys  # the next lead of the same person finds the contact made for this one
        if row["company_id"] or any(co for _c, co in matched):
            line.existing_companies += 1
        elif row["company_title"].strip():
            line.new_companies += 1
        line.without_amount += row["amount"] is None
        problem = _amount_problem(row["amount"], rules)
        if problem:
            line.refused += 1
            if len(problems) < ERRORS_KEPT:
                problems.append(_("Лид #%(id)s «%(t)s»: %(p)s")
                                % {"id": row["pk"], "t": row["title"], "p": problem})


def cleanup_preview(plan: Plan) -> Preview:
    """What the clean-up would do, changing nothing: per status how many leads go where, how
    many contacts and companies are new or found, and the leads the deal rules would refuse."""
    rules = CrmSettings.load()
    lines, problems, seen = [], [], set()
    for code, target in plan.targets.items():
        status = plan.statuses[code]
        line = PreviewLine(status, target)
        rows = list(Lead.objects.filter(status=status).order_by("pk").values(
            "pk", "title", "contact_id", "company_id", "company_title", "amount"))
        line.leads = len(rows)
        if target.kind == TargetKind.STAGE and rows:
            lead_keys = _lead_keys([row["pk"] for row in rows])
            owners = _owners_by_key(set().union(*lead_keys.values()) if lead_keys else set())
            _preview_stage_line(line, rows, owners, lead_keys, seen, rules, problems)
        lines.append(line)
    busy = (Robot.objects.filter(is_active=True, is_system=False, trigger=Trigger.ENTERED)
            .filter(Q(stage__in=[t.stage for t in plan.targets.values() if t.stage])
                    | Q(status__in=[t.status for t in plan.targets.values() if t.status])))
    for robot in busy.select_related("stage", "status"):
        problems.append(_("Робот «%(r)s» на «%(p)s» сработает для каждого перенесённого лида или "
                          "сделки; выключите его на время очистки, если это не нужно.")
                        % {"r": robot.name, "p": robot.place.name})
    return Preview(lines, problems)


# -- the guard robots --------------------------------------------------------------------

def guard_install(status: LeadStatus, acting_user=None) -> Robot:
    """The system robot that sends a lead entering a deprecated status back to NEW and tells
    whoever moved it there that the status is no longer used (seed 002, step 3)."""
    existing = Robot.objects.filter(status=status, is_system=True).first()
    if existing is not None:
        return existing
    back = LeadStatus.objects.get(code=GUARD_BACK_TO)
    robot = Robot(
        name=_("Страж устаревшего статуса «%(s)s»") % {"s": status.name}, entity=RobotEntity.LEAD,
        status=status, trigger=Trigger.ENTERED, is_system=True, sort=0, created_by=acting_user,
        actions=[{"type": "status_set", "status": back.code},
                 {"type": "notify", "to": "actor", "text": _(
                     "Статус «%(s)s» больше не используется: лид «{{title}}» возвращён в «%(b)s». "
                     "Ведите продажу в сделке, а лид конвертируйте или закройте.")
                  % {"s": status.name, "b": back.name}}])
    robot.full_clean()
    robot.save()
    return robot


@transaction.atomic
def plan_prepare(plan: Plan, acting_user=None) -> None:
    """Steps 1 and 3: deprecate the mapped statuses and guard them (both idempotent)."""
    for code, status in plan.statuses.items():
        plan.statuses[code] = lead_status_deprecate(status=status, acting_user=acting_user)
        guard_install(plan.statuses[code], acting_user)


# -- moving one lead ---------------------------------------------------------------------

def _clients_of(lead: Lead) -> tuple[Contact | None, Company | None]:
    """The lead's own client links, else the contact/company that already has its phone or e-mail."""
    contact, company = lead.contact, lead.company
    if contact is None or company is None:
        keys = Q(pk__in=[])
        for kind, value in lead.communications.exclude(normalized="").values_list("kind", "normalized"):
            keys |= Q(kind=kind, normalized=value)
        owners = Communication.objects.filter(keys, lead__isnull=True).order_by("pk")
        if contact is None:
            found = owners.filter(contact__isnull=False).select_related("contact").first()
            contact = found.contact if found else None
        if company is None:
            found = owners.filter(company__isnull=False).select_related("company").first()
            company = found.company if found else None
    return contact, company


def lead_migrate(lead: Lead, target: Target, *, rules: CrmSettings, acting_user=None,
                 origin: str = "") -> str:
    """Move one lead to its target; return which counter it adds to."""
    note = _("Перенесено очисткой статусов лидов из статуса «%(s)s».") % {"s": origin}
    if target.kind == TargetKind.STATUS:
        lead_change_status(lead=lead, status=target.status, acting_user=acting_user)
        return "moved"
    if target.kind == TargetKind.JUNK:
        lead_close_as_junk(lead=lead, reason=target.reason, comment=note, acting_user=acting_user)
        return "junked"
    contact, company = _clients_of(lead)
    result = lead_convert(
        lead=lead, acting_user=acting_user, contact=contact, company=company,
        legal_entity=bool(lead.company_title.strip()), pipeline=target.stage.pipeline,
        amount=rules.deal_amount_or_minimum(lead.amount))
    # Through the first stage and a move, so the deal's history says where it came from.
    if result.deal.stage_id != target.stage.pk:
        deal_move(deal=result.deal, stage=target.stage, acting_user=acting_user, comment=note)
    return "converted"


# -- the job -----------------------------------------------------------------------------

def _stale(job: StatusCleanupJob, now: dt.datetime | None = None) -> bool:
    return job.updated_at < (now or timezone.now()) - STALE_AFTER


def job_active() -> StatusCleanupJob | None:
    """A job that is queued or running now (not one whose runner died long ago)."""
    for job in StatusCleanupJob.objects.filter(state__in=(CleanupState.QUEUED, CleanupState.RUNNING)):
        if not _stale(job):
            return job
    return None


def job_create(plan: Plan, *, batch_size: int = DEFAULT_BATCH, acting_user=None) -> StatusCleanupJob:
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationError(_("Размер пачки — от 1 до %(n)s лидов.") % {"n": MAX_BATCH})
    # Two jobs would race for the same leads and double the deprecation work; one at a time.
    active = job_active()
    if active is not None:
        raise ValidationError(_("Очистка #%(id)s ещё идёт; дождитесь её конца.") % {"id": active.pk})
    return StatusCleanupJob.objects.create(mapping=plan.mapping, pipeline=plan.pipeline,
                                           batch_size=batch_size, created_by=acting_user)


def job_plan(job: StatusCleanupJob) -> Plan:
    return plan_parse(job.mapping, job.pipeline.code if job.pipeline_id else "")


def job_resumable(job: StatusCleanupJob, now: dt.datetime | None = None) -> bool:
    """May a runner take this job up: waiting, interrupted, or its runner long silent."""
    if job.state in (CleanupState.QUEUED, CleanupState.INTERRUPTED):
        return True
    return job.state == CleanupState.RUNNING and _stale(job, now)


def job_resume_offered(job: StatusCleanupJob, now: dt.datetime | None = None) -> bool:
    """Should the page offer «Продолжить»: interrupted, or queued/running with nobody working
    on it (no `voronka worker`, or a worker that died). A fresh queued job is left to the
    worker, so a second click does not start a second runner."""
    if job.state == CleanupState.INTERRUPTED:
        return True
    return job.state in (CleanupState.QUEUED, CleanupState.RUNNING) and _stale(job, now)


def job_resume_check(job: StatusCleanupJob) -> None:
    """Refuse, saying why, to resume a job that is finished or still running."""
    if job.state == CleanupState.DONE:
        raise ValidationError(_("Очистка #%(id)s уже завершена.") % {"id": job.pk})
    if not job_resumable(job):
        raise ValidationError(_("Очистка #%(id)s идёт прямо сейчас. Если её процесс остановлен, "
                                "продолжить можно через %(m)s мин после последней пачки.")
                              % {"id": job.pk, "m": int(STALE_AFTER.total_seconds() // 60)})


def job_enqueue(job: StatusCleanupJob) -> StatusCleanupJob:
    """Hand the job (new, or to resume) to the background worker (`voronka worker`); its page
    polls the progress. Queued again, a resumed job is the worker's, not yet «stuck»."""
    job.state, job.error, job.updated_at = CleanupState.QUEUED, "", timezone.now()
    job.save(update_fields=["state", "error", "updated_at"])
    cleanup_job_task.enqueue(job.pk)
    return job


def _batch_run(job_id: int, plan: Plan, after_pk: int, rules: CrmSettings, acting_user) -> int | None:
    """Migrate the next batch in one transaction with the job's counters; return the last
    lead id handled, or None when no lead is left."""
    # The robots of each status and stage, the sources, the settings: read once per batch.
    with transaction.atomic(), batch_cache():
        job = StatusCleanupJob.objects.select_for_update().get(pk=job_id)
        status_ids = [status.pk for status in plan.statuses.values()]
        leads = list(Lead.objects.filter(status__in=status_ids, pk__gt=after_pk)
                     .select_related("status", "contact", "company").order_by("pk")[:job.batch_size])
        if not leads:
            return None
        for lead in leads:
            origin = lead.status.name
            try:
                with transaction.atomic():
                    counter = lead_migrate(lead, plan.target_of(lead), rules=rules,
                                           acting_user=acting_user, origin=origin)
            except ValidationError as error:  # this lead stays where it is; the rest go on
                batch_cache_forget()  # rows its savepoint made are gone
                job.failed += 1
                if len(job.errors) < ERRORS_KEPT:
                    job.errors.append({"lead": lead.pk, "title": lead.title,
                                       "error": "; ".join(error.messages)})
            else:
                setattr(job, counter, getattr(job, counter) + 1)
        job.updated_at = timezone.now()
        job.save(update_fields=["converted", "moved", "junked", "failed", "errors", "updated_at"])
        return leads[-1].pk


def job_run(job: StatusCleanupJob, *,
            progress: Callable[[StatusCleanupJob], None] | None = None) -> StatusCleanupJob:
    """Run (or resume) a clean-up job to the end. Leads the services refuse stay in their
    status and are listed in `job.errors`; a crash leaves the job resumable."""
    acting_user = job.created_by
    try:
        plan = job_plan(job)
    except ValidationError as error:
        job.state, job.error = CleanupState.INTERRUPTED, "; ".join(error.messages)
        job.save(update_fields=["state", "error"])
        raise
    plan_prepare(plan, acting_user)
    remaining = Lead.objects.filter(status__in=[s.pk for s in plan.statuses.values()]).count()
    # Failures are retried on resume (their cause may be fixed), so they are counted afresh.
    job.failed, job.errors, job.error = 0, [], ""
    job.total = job.processed + remaining
    job.state, job.started_at = CleanupState.RUNNING, job.started_at or timezone.now()
    job.updated_at = timezone.now()
    job.save()
    rules = CrmSettings.load()
    after = 0
    try:
        while (after := _batch_run(job.pk, plan, after, rules, acting_user)) is not None:
            job.refresh_from_db()
            if progress:
                progress(job)
    except BaseException as error:  # Ctrl+C and a stopped worker too: resumable at once
        StatusCleanupJob.objects.filter(pk=job.pk).update(
            state=CleanupState.INTERRUPTED, error=f"{type(error).__name__}: {error}"[:2000],
            updated_at=timezone.now())
        job.refresh_from_db()
        raise
    job.refresh_from_db()
    job.state, job.finished_at, job.updated_at = CleanupState.DONE, timezone.now(), timezone.now()
    job.save(update_fields=["state", "finished_at", "updated_at"])
    if progress:
        progress(job)
    return job


def jobs_stale_resume(now: dt.datetime | None = None) -> int:
    """Hand back to the worker the jobs whose runner died mid-run (killed, not stopped: a
    stopped runner marks its job interrupted, and an admin resumes that one on purpose)."""
    now = now or timezone.now()
    stale = StatusCleanupJob.objects.filter(state=CleanupState.RUNNING, updated_at__lt=now - STALE_AFTER)
    jobs = list(stale)
    for job in jobs:
        job_enqueue(job)
    return len(jobs)


@task()
def cleanup_job_task(job_id: int) -> str:
    """The background run of a job started from the settings page (`voronka worker`)."""
    job = StatusCleanupJob.objects.filter(pk=job_id).first()
    if job is None or not job_resumable(job):
        return "skipped"
    try:
        return job_run(job).state
    except ValidationError:
        return CleanupState.INTERRUPTED


# -- step 4 ------------------------------------------------------------------------------

@dataclass
class DeprecatedStatus:
    status: LeadStatus
    leads: int
    guard: Robot | None

    @property
    def deletable(self) -> bool:
        return self.leads == 0


def deprecated_statuses() -> list[DeprecatedStatus]:
    """The deprecated statuses, each with its leads (of any state) and its guard robot."""
    statuses = LeadStatus.objects.filter(deprecated=True).annotate(n=Count("leads")).order_by("sort", "id")
    guards = {robot.status_id: robot for robot in Robot.objects.filter(
        is_system=True, status__in=[status.pk for status in statuses])}
    return [DeprecatedStatus(status, status.n, guards.get(status.pk)) for status in statuses]


def deprecated_status_delete(status: LeadStatus, acting_user=None) -> None:
    """Delete a deprecated status once no lead uses it; its guard robot goes with it."""
    if not status.deprecated:
        raise ValidationError(_("Статус «%(s)s» не устаревший: сначала перенесите его лиды "
                                "очисткой статусов.") % {"s": status.name})
    lead_status_delete(status=status, acting_user=acting_user)


def deprecated_unused_delete(acting_user=None) -> tuple[list[str], list[DeprecatedStatus]]:
    """Step 4 for all of them: delete every deprecated status no lead uses; return the names
    deleted and the statuses kept because leads still use them."""
    deleted, kept = [], []
    for line in deprecated_statuses():
        if not line.deletable:
            kept.append(line)
            continue
        deprecated_status_delete(line.status, acting_user)
        deleted.append(line.status.name)
    return deleted, kept
