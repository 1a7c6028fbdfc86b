"""Reads for the robots settings: the board (places and their robots) and a robot's runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from voronka.automation.actions import ACTIONS
from voronka.automation.models import Robot, RobotEntity, RobotRun
from voronka.crm.models import LeadStatus, Pipeline, Stage

RUNS_SHOWN = 50


@dataclass
class RobotCard:
    robot: Robot
    delay: str
    summary: str

    @classmethod
    def of(cls, robot: Robot) -> RobotCard:
        return cls(robot, delay_text(robot), actions_summary(robot))


@dataclass
class Column:
    place: LeadStatus | Stage
    robots: list[RobotCard] = field(default_factory=list)

    @property
    def new_url(self) -> str:
        key = "status" if isinstance(self.place, LeadStatus) else "stage"
        return f"/settings/robots/new/?{key}={self.place.pk}"


@dataclass
class Board:
    entity: str
    pipeline: Pipeline | None
    pipelines: list[Pipeline]
    columns: list[Column]


def board_get(pipeline_id: str | None) -> Board:
    """Lead statuses (no pipeline chosen) or the stages of one pipeline, each with its robots."""
    pipelines = list(Pipeline.objects.all())
    pipeline = None
    if pipeline_id:
        pipeline = next((p for p in pipelines if str(p.pk) == pipeline_id), None)
        if pipeline is None:
            raise Http404
    if pipeline is None:
        places: list = list(LeadStatus.objects.all())
        robots = Robot.objects.filter(entity=RobotEntity.LEAD)
        key = "status_id"
    else:
        places = list(pipeline.stages.all())
        robots = Robot.objects.filter(entity=RobotEntity.DEAL, stage__pipeline=pipeline)
        key = "stage_id"
    columns = {place.pk: Column(place) for place in places}
    for robot in robots.order_by("sort", "id"):
        columns[getattr(robot, key)].robots.append(RobotCard.of(robot))
    return Board(RobotEntity.DEAL if pipeline else RobotEntity.LEAD, pipeline, pipelines,
                 list(columns.values()))


def board_url(robot: Robot) -> str:
    """The board the robot sits on."""
    if robot.entity == RobotEntity.DEAL:
        return f"/settings/robots/?pipeline={robot.stage.pipeline_id}"
    return "/settings/robots/"


def actions_summary(robot: Robot) -> str:
    """«Поставить дело ответственному: Перезвонить; Уведомить сотрудника» — for the board."""
    parts = []
    for action in robot.actions or []:
        spec = ACTIONS.get(action.get("type"))
        label = str(spec.label) if spec else str(action.get("type"))
        detail = action.get("title") or action.get("text") or action.get("subject") or ""
        parts.append(f"{label}: {detail}" if detail else label)
    return "; ".join(parts)


def delay_text(robot: Robot) -> str:
    minutes = robot.delay_minutes
    if not minutes and robot.at_time is None:
        return _("сразу")
    text = ""
    if minutes:
        for size, unit in ((1440, _("дн.")), (60, _("ч")), (1, _("мин"))):
            if minutes % size == 0:
                text = _("через %(n)s %(u)s") % {"n": minutes // size, "u": unit}
                break
    if robot.at_time is not None:
        at = _("в %(t)s") % {"t": robot.at_time.strftime("%H:%M")}
        text = f"{text}, {at}" if text else at
    return text


def runs_of(robot: Robot) -> QuerySet[RobotRun]:
    return (robot.runs.select_related("lead", "deal")
            .order_by("-created_at", "-id")[:RUNS_SHOWN])
