from voronka.automation.models import RobotRun, RunState
from voronka.crm.models import EventKind, TimelineEvent
from voronka.crm.services.leads import lead_create


def test_entered_robot_comments_on_new_lead(task_backend, make_robot, manager,
                                            django_capture_on_commit_callbacks):
    robot = make_robot(actions=[{"type": "comment_add", "text": "Привет, {{client}}"}])
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_create(name="Иван", responsible=manager)
    task_backend.drain()
    run = RobotRun.objects.get(robot=robot)
    assert run.state == RunState.DONE, run.outcome
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.COMMENT, text="Привет, Иван").exists()
    assert TimelineEvent.objects.filter(lead=lead, kind=EventKind.ROBOT).count() == 1
