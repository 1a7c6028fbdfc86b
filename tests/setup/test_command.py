"""`voronka setup apply FILE [--dry-run]` through call_command and the CLI."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.setup.helpers import db_snapshot
from voronka.accounts.models import User
from voronka.cli import main
from voronka.setup.examples import example_path

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command("setup", *args, stdout=out, **options)
    return out.getvalue()


def test_apply_prints_one_line_per_section(example_env):
    output = run("apply", str(example_path()))
    assert output.splitlines() == [
        "users: 3 created, 0 updated, 0 unchanged",
        "sources: 1 created, 5 updated, 0 unchanged",
        "lead_statuses: 2 created, 0 updated, 4 unchanged",
        "pipelines: 1 created, 1 updated, 0 unchanged",
        "deal_rules: 0 created, 1 updated, 0 unchanged",
    ]
    second = run("apply", str(example_path()))
    assert "users: 0 created, 0 updated, 3 unchanged" in second.splitlines()


@pytest.mark.parametrize("how", ["option", "after", "before"])
def test_verbosity_2_lists_the_changes(write_file, how):
    path = str(write_file({"sources": [{"code": "RADIO", "name": "Радио"}]}))
    if how == "option":
        output = run("apply", path, verbosity=2)
    elif how == "after":
        output = run("apply", path, "-v", "2")
    else:
        output = run("-v", "2", "apply", path)
    assert output.splitlines() == ["sources: 1 created, 0 updated, 0 unchanged", "  source RADIO: created"]


@pytest.mark.parametrize("how", ["flag", "option"])
def test_dry_run_writes_nothing(example_env, how):
    before = db_snapshot()
    if how == "flag":
        output = run("apply", str(example_path()), "--dry-run")
    else:
        output = run("apply", str(example_path()), dry_run=True)
    assert db_snapshot() == before
    lines = output.splitlines()
    assert lines[0] == "Dry run: nothing was written. Would apply:"
    assert "users: 3 created, 0 updated, 0 unchanged" in lines
    assert "  user admin: created" in lines


def test_errors_raise_command_error_and_write_nothing(write_file):
    path = write_file({"users": [{"username": "ok", "full_name": "Ок", "role": "manager"},
                                 {"username": "bad", "full_name": "Плохой", "role": "boss"}],
                       "telephony": [{"provider": "mango"}]})
    with pytest.raises(CommandError) as caught:
        run("apply", str(path))
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert f"{path}: 2 error(s), nothing was written:" in message
    assert "  users[1].role: must be one of admin, head, manager" in message
    assert "  telephony[0].slug: required" in message
    assert not User.objects.filter(username="ok").exists()


def test_missing_env_var_through_the_command(write_file, monkeypatch):
    monkeypatch.delenv("DEMO_PASS", raising=False)
    path = write_file("users:\n  - {username: a, full_name: A, role: head, password: '${DEMO_PASS}'}\n")
    expected = r"users\[0\]\.password: environment variable DEMO_PASS is not set"
    with pytest.raises(CommandError, match=expected):
        run("apply", str(path))
    monkeypatch.setenv("DEMO_PASS", "demo-pass-2026")
    assert run("apply", str(path)) == "users: 1 created, 0 updated, 0 unchanged\n"
    assert User.objects.get(username="a").check_password("demo-pass-2026")


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        run("apply", str(tmp_path / "nope.yaml"))


def test_cli_exits_non_zero_with_the_errors_on_stderr(write_file, capsys):
    path = write_file({"sources": [{"code": "bad code", "name": "x"}]})
    with pytest.raises(SystemExit) as caught:
        main(["setup", "apply", str(path)])
    assert caught.value.code == 1
    assert "sources[0].code" in capsys.readouterr().err


def test_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("setup")
