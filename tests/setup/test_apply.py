"""setup_apply(): validation as a whole, idempotency, one transaction."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from tests.setup.helpers import EXAMPLE_ENV, db_snapshot
from voronka.accounts.models import User
from voronka.crm.models import CrmSettings, LeadStatus, Pipeline, Source, Stage
from voronka.crm.services.deals import deal_create
from voronka.setup.errors import SetupValidationError
from voronka.setup.examples import example_path
from voronka.setup.services import setup_apply, setup_apply_file

pytestmark = pytest.mark.django_db

MAIN_STAGES = [
    {"code": "NEW", "name": "Новая", "semantics": "process"},
    {"code": "WON", "name": "Сделка успешна", "semantics": "success"},
    {"code": "LOSE", "name": "Сделка провалена", "semantics": "failure"},
]


def errors_of(document, **kwargs) -> list[str]:
    """Apply a document that must fail; return its errors as `path: message` lines."""
    before = db_snapshot()
    with pytest.raises(SetupValidationError) as caught:
        setup_apply(document, **kwargs)
    assert db_snapshot() == before, "a failed apply must write nothing"
    return [str(issue) for issue in caught.value.issues]


def user(**fields):
    return {"username": "ivan", "full_name": "Иван Петров", "role": "manager", **fields}


def pipeline(code="SALES", stages=None, **fields):
    return {"code": code, "name": f"Направление {code}",
            "stages": copy.deepcopy(MAIN_STAGES) if stages is None else stages, **fields}


# --- the example file ---------------------------------------------------------------------------

def test_apply_example_file():
    report = setup_apply_file(example_path(), environ=EXAMPLE_ENV)
    assert report.lines() == [
        "users: 3 created, 0 updated, 0 unchanged",
        "sources: 1 created, 5 updated, 0 unchanged",
        "lead_statuses: 2 created, 0 updated, 4 unchanged",
        "pipelines: 1 created, 1 updated, 0 unchanged",
        "deal_rules: 0 created, 1 updated, 0 unchanged",
    ]
    admin = User.objects.get(username="admin")
    assert admin.role == "admin" and admin.is_staff and admin.is_superuser
    assert admin.check_password(EXAMPLE_ENV["VORONKA_ADMIN_PASSWORD"])
    head = User.objects.get(username="petrova")
    assert (head.role, head.extension, head.is_staff, head.is_superuser) == ("head", "100", False, False)
    manager = User.objects.get(username="sidorov")
    assert manager.time_zone == "Asia/Yekaterinburg"
    assert not manager.has_usable_password()

    assert Source.objects.get(code="SITE").name == "Сайт okna-plus.ru"
    assert Source.objects.get(code="YULA").is_active is False
    assert Source.objects.get(code="FLYERS").sort == 50
    assert Source.objects.filter(code="CALL").exists(), "sources not in the file are left alone"

    old = LeadStatus.objects.get(code="CALLBACK_LATER")
    assert (old.name, old.deprecated, old.color) == ("Перезвонить позже", True, "#a8adb4")

    main = Pipeline.objects.get(code="MAIN")
    assert (main.name, main.is_default) == ("Окна", True)
    stages = {s.code: s for s in main.stages.all()}
    assert [stages[c].sort for c in ("NEW", "MEASURE", "CONTRACT", "INSTALLATION", "WON", "LOSE")] == [
        10, 20, 30, 40, 50, 60]
    assert stages["MEASURE"].color == "#2fc6f6"
    assert "PREPARATION" in stages, "stages not named in the file are not deleted"
    service = Pipeline.objects.get(code="SERVICE")
    assert service.is_default is False
    assert list(service.stages.values_list("code", flat=True)) == ["NEW", "VISIT", "DONE", "CANCELLED"]
    assert CrmSettings.load().minimum_amount == Decimal("1500.00")


def test_apply_twice_second_run_is_unchanged_and_writes_nothing():
    setup_apply_file(example_path(), environ=EXAMPLE_ENV)
    before = db_snapshot()
    report = setup_apply_file(example_path(), environ=EXAMPLE_ENV)
    assert report.lines() == [
        "users: 0 created, 0 updated, 3 unchanged",
        "sources: 0 created, 0 updated, 6 unchanged",
        "lead_statuses: 0 created, 0 updated, 6 unchanged",
        "pipelines: 0 created, 0 updated, 2 unchanged",
        "deal_rules: 0 created, 0 updated, 1 unchanged",
    ]
    assert not report.has_changes
    assert db_snapshot() == before


def test_update_a_name(example_document):
    setup_apply(example_document, environ=EXAMPLE_ENV)
    example_document["sources"][2]["name"] = "Сайт окна-плюс.рф"
    example_document["pipelines"][1]["stages"][1]["name"] = "Выезд"
    report = setup_apply(example_document, environ=EXAMPLE_ENV)
    assert report.sections["sources"].summary() == "0 created, 1 updated, 5 unchanged"
    assert report.sections["sources"].details == ["source SITE: updated (name)"]
    assert report.sections["pipelines"].details == ["pipeline SERVICE: updated (stage VISIT: name)"]
    assert Source.objects.get(code="SITE").name == "Сайт окна-плюс.рф"
    assert Stage.objects.get(pipeline__code="SERVICE", code="VISIT").name == "Выезд"


def test_document_from_python_with_os_environ(example_document, example_env):
    report = setup_apply(example_document)
    assert report.sections["users"].created == 3


# --- validation -----------------------------------------------------------------------------------

def test_unknown_key_in_an_item_writes_nothing():
    document = {"users": [user()], "sources": [{"code": "NEW_ONE", "name": "Новый", "colour": "#ffffff"}]}
    assert errors_of(document) == [
        "sources[0].colour: unknown key; allowed keys: code, name, sort, is_active"]
    assert not User.objects.filter(username="ivan").exists(), "the valid users were not created"


def test_unknown_keys_suggest_the_right_one():
    document = {"user": [], "users": [user(ful_name="x")],
                "pipelines": [pipeline(stages=[*MAIN_STAGES[:2], {**MAIN_STAGES[2], "colr": "#ffffff"}])]}
    assert errors_of(document) == [
        "user: unknown key (did you mean users?)",
        "users[0].ful_name: unknown key (did you mean full_name?)",
        "pipelines[0].stages[2].colr: unknown key (did you mean color?)",
    ]


def test_wrong_role():
    assert errors_of({"users": [user(role="boss")]}) == ["users[0].role: must be one of admin, head, manager"]


def test_bad_semantics():
    document = {"lead_statuses": [{"code": "X", "name": "X", "semantics": "won"}]}
    assert errors_of(document) == ["lead_statuses[0].semantics: must be one of process, success, failure"]


def test_missing_env_var():
    document = {"users": [user(username="a", password="${A_PASS}"),
                          user(username="b", password="${DEMO_PASS}")]}
    assert errors_of(document, environ={"A_PASS": "long-enough"}) == [
        "users[1].password: environment variable DEMO_PASS is not set"]


def test_env_var_fills_any_string_value():
    report = setup_apply({"sources": [{"code": "${CODE}", "name": "Из ${WHERE}", "sort": "${SORT}"}]},
                         environ={"CODE": "RADIO", "WHERE": "радио", "SORT": "15"})
    assert report.sections["sources"].created == 1
    assert Source.objects.filter(code="RADIO", name="Из радио", sort=15).exists()


def test_required_fields_and_types():
    document = {
        "users": [{"username": "x", "role": "admin"}],
        "sources": [{"code": "avito", "name": ""}, "AVITO", {"code": "A", "name": "A", "sort": True}],
        "pipelines": {"code": "X"},
        "deal_rules": [],
    }
    assert errors_of(document) == [
        "users[0].full_name: required",
        "sources[0].code: “avito” is not a valid code: use capital Latin letters, digits, “_”, “-” and “:”, "
        "starting with a letter or a digit (for example AVITO or 2GIS)",
        "sources[0].name: must not be empty",
        "sources[1]: must be a mapping (key: value)",
        "sources[2].sort: must be a number, not true/false",
        "pipelines: must be a list of items (each starting with “- ”)",
        "deal_rules: must be a mapping (key: value)",
    ]


def test_all_errors_are_reported_at_once():
    document = {"users": [user(role="x"), user(username="b", time_zone="Mars/Olympus", email="nope")],
                "sources": [{"code": "A"}],
                "lead_statuses": [{"code": "B", "name": "B", "semantics": "process", "color": "red"}]}
    assert errors_of(document) == [
        "users[0].role: must be one of admin, head, manager",
        "users[1].email: “nope” is not a valid e-mail address",
        "users[1].time_zone: unknown time zone “Mars/Olympus”; use an IANA name such as Europe/Moscow",
        "sources[0].name: required",
        "lead_statuses[0].color: “red” is not a colour: use #RRGGBB, for example #39a8ef",
    ]


def test_extension_and_username_must_be_quoted_text():
    assert errors_of({"users": [user(extension=101)]}) == [
        "users[0].extension: must be a text string; put the value in quotes"]


def test_an_empty_value_is_an_error_not_leave_alone(write_file):
    # `color: #39a8ef` unquoted: YAML reads an empty value and a comment.
    path = write_file("lead_statuses:\n  - code: B\n    name:\n    semantics: process\n    color: #39a8ef\n")
    with pytest.raises(SetupValidationError) as caught:
        setup_apply_file(path)
    empty = "is empty; write a value (quote one that starts with #) or remove the key"
    assert [str(i) for i in caught.value.issues] == [
        f"lead_statuses[0].name: {empty}", f"lead_statuses[0].color: {empty}"]


def test_top_level_must_be_a_mapping():
    for document in ([], "text", None, 5):
        assert errors_of(document) == [
            "the top level of the file must be a mapping of sections (users:, sources:, …), "
            "not a list or a single value"]


def test_empty_section_is_allowed():
    report = setup_apply({"users": None, "sources": []})
    assert report.lines() == ["users: 0 created, 0 updated, 0 unchanged",
                              "sources: 0 created, 0 updated, 0 unchanged"]


def test_duplicate_codes_name_both_paths():
    document = {
        "users": [user(), user(full_name="Другой Иван")],
        "sources": [{"code": "AVITO", "name": "A"}, {"code": "SITE", "name": "S"},
                    {"code": "AVITO", "name": "B"}],
        "pipelines": [pipeline(stages=[*MAIN_STAGES,
                                       {"code": "NEW", "name": "Ещё", "semantics": "process"}])],
    }
    assert errors_of(document) == [
        "users[1].username: duplicate “ivan”: already used at users[0].username",
        "sources[2].code: duplicate “AVITO”: already used at sources[0].code",
        "pipelines[0].stages[3].code: duplicate “NEW”: already used at pipelines[0].stages[0].code",
    ]


def test_duplicate_extensions_in_one_file():
    document = {"users": [user(extension="101"), user(username="petr", extension="101")]}
    assert errors_of(document) == ["users[1].extension: duplicate “101”: already used at users[0].extension"]


def test_pipeline_needs_every_meaning():
    document = {"pipelines": [pipeline(stages=[MAIN_STAGES[0]]), pipeline(code="B", stages=[])]}
    assert errors_of(document) == [
        "pipelines[0].stages: a pipeline needs at least one process, one success and one failure stage; "
        "missing: success, failure",
        "pipelines[1].stages: a pipeline needs at least one process, one success and one failure stage; "
        "missing: process, success, failure",
    ]


# --- users ----------------------------------------------------------------------------------------

def test_password_is_not_a_change_when_it_still_matches():
    setup_apply({"users": [user(password="first-pass-1")]})
    hashed = User.objects.get(username="ivan").password
    report = setup_apply({"users": [user(password="first-pass-1")]})
    assert report.lines() == ["users: 0 created, 0 updated, 1 unchanged"]
    assert User.objects.get(username="ivan").password == hashed

    report = setup_apply({"users": [user(password="second-pass-2")]})
    assert report.sections["users"].details == ["user ivan: updated (password)"]
    assert User.objects.get(username="ivan").check_password("second-pass-2")

    report = setup_apply({"users": [user()]})  # no password: the current one stays
    assert report.lines() == ["users: 0 created, 0 updated, 1 unchanged"]
    assert User.objects.get(username="ivan").check_password("second-pass-2")


def test_password_minimum_length():
    assert errors_of({"users": [user(password="short")]}) == [
        "users[0].password: must be at least 8 characters long"]


def test_role_sets_staff_and_superuser(admin_user):
    setup_apply({"users": [user(username="admin", role="manager")]})
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff, admin_user.is_superuser) == ("manager", False, False)
    setup_apply({"users": [user(username="admin", role="admin")]})
    admin_user.refresh_from_db()
    assert (admin_user.is_staff, admin_user.is_superuser) == (True, True)


def test_fields_left_out_are_left_alone(make_user):
    existing = make_user("ivan", extension="555", email="ivan@example.com", time_zone="Asia/Omsk")
    report = setup_apply({"users": [user(full_name="Иван Иванович")]})
    assert report.sections["users"].details == ["user ivan: updated (full_name)"]
    existing.refresh_from_db()
    assert (existing.extension, existing.email, existing.time_zone) == (
        "555", "ivan@example.com", "Asia/Omsk")
    assert existing.check_password("pass-Voronka-2026")


def test_email_is_normalised_so_reapplying_is_unchanged():
    setup_apply({"users": [user(email="Ivan@Example.COM", is_active=False)]})
    stored = User.objects.get(username="ivan")
    assert (stored.email, stored.is_active) == ("Ivan@example.com", False)
    assert setup_apply({"users": [user(email="Ivan@Example.COM", is_active=False)]}).has_changes is False


# --- pipelines ------------------------------------------------------------------------------------

def test_default_pipeline_switching():
    report = setup_apply({"pipelines": [pipeline(is_default=True)]})
    assert report.sections["pipelines"].details == [
        "pipeline MAIN: no longer the default (SALES is)", "pipeline SALES: created"]
    assert list(Pipeline.objects.filter(is_default=True).values_list("code", flat=True)) == ["SALES"]

    report = setup_apply({"pipelines": [pipeline(is_default=False), pipeline(code="MAIN", is_default=True)]})
    assert list(Pipeline.objects.filter(is_default=True).values_list("code", flat=True)) == ["MAIN"]
    assert setup_apply({"pipelines": [pipeline(is_default=False), pipeline(code="MAIN", is_default=True)]
                        }).has_changes is False


def test_only_one_default_and_the_default_cannot_just_be_unset():
    assert errors_of({"pipelines": [pipeline(is_default=True), pipeline(code="B", is_default=True)]}) == [
        "pipelines[1].is_default: only one pipeline can be the default; pipelines[0] already is"]
    assert errors_of({"pipelines": [pipeline(code="MAIN", is_default=False)]}) == [
        "pipelines[0].is_default: MAIN is the default pipeline; to change that, set is_default: true on "
        "another pipeline"]


def test_stage_sort_defaults_to_position_and_can_be_given():
    stages = [{"code": "A", "name": "A", "semantics": "process", "sort": 5}, *MAIN_STAGES]
    setup_apply({"pipelines": [pipeline(stages=stages)]})
    sorts = dict(Stage.objects.filter(pipeline__code="SALES").values_list("code", "sort"))
    assert sorts == {"A": 5, "NEW": 20, "WON": 30, "LOSE": 40}


def test_stage_with_deals_keeps_its_semantics(main_pipeline):
    deal_create(title="Окна в дом", amount=1000)
    stages = [{"code": "NEW", "name": "Новая", "semantics": "failure"}, *MAIN_STAGES[1:],
              {"code": "P", "name": "P", "semantics": "process"}]
    assert errors_of({"pipelines": [pipeline(code="MAIN", stages=stages)]}) == [
        "pipelines[0].stages[0].semantics: stage NEW of pipeline MAIN has 1 deal(s); its semantics cannot "
        "change from process to failure"]


# --- lead statuses --------------------------------------------------------------------------------

def test_status_with_leads_cannot_change_semantics(make_lead, status_in_process):
    make_lead(status=status_in_process)
    document = {"lead_statuses": [{"code": "IN_PROCESS", "name": "В работе", "semantics": "failure"}]}
    assert errors_of(document) == [
        "lead_statuses[0].semantics: status IN_PROCESS has 1 lead(s); its semantics cannot change from "
        "process to failure"]


def test_status_without_leads_may_change_semantics():
    setup_apply({"lead_statuses": [{"code": "LATER", "name": "Позже", "semantics": "process"}]})
    setup_apply({"lead_statuses": [{"code": "LATER", "name": "Позже", "semantics": "failure"}]})
    assert LeadStatus.objects.get(code="LATER").semantics == "failure"


def test_system_statuses_keep_their_meaning_and_stay_usable():
    document = {"lead_statuses": [{"code": "NEW", "name": "Новый", "semantics": "success"},
                                  {"code": "JUNK", "name": "Некачественный", "semantics": "failure",
                                   "deprecated": True}]}
    assert errors_of(document) == [
        "lead_statuses[0].semantics: NEW is a system status; its semantics cannot change from process to "
        "success",
        "lead_statuses[1].deprecated: JUNK is a system status and cannot be deprecated",
    ]


def test_deprecating_a_status_is_idempotent():
    status = {"code": "OLD", "name": "Старый", "semantics": "process"}
    setup_apply({"lead_statuses": [status]})
    for _ in range(2):
        setup_apply({"lead_statuses": [{**status, "deprecated": True}]})
    old = LeadStatus.objects.get(code="OLD")
    assert (old.name, old.deprecated, old.color) == ("Старый", True, "#a8adb4")
    setup_apply({"lead_statuses": [{**status, "deprecated": True, "color": "#000000"}]})
    assert LeadStatus.objects.get(code="OLD").color == "#000000"
    assert setup_apply({"lead_statuses": [{**status, "deprecated": True, "color": "#000000"}]}
                       ).has_changes is False


# --- deal rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ("1500.50", Decimal("1500.50")),
    (1500.5, Decimal("1500.50")),
    (1500, Decimal("1500.00")),
    ("0", Decimal("0.00")),
    (0.1, Decimal("0.10")),
])
def test_deal_rules_decimals(given, stored):
    setup_apply({"deal_rules": {"minimum_amount": given, "amount_required": False}})
    rules = CrmSettings.load()
    assert rules.minimum_amount == stored
    assert (rules.amount_required, rules.zero_becomes_one) == (False, True)
    report = setup_apply({"deal_rules": {"minimum_amount": given, "amount_required": False}})
    assert report.lines() == ["deal_rules: 0 created, 0 updated, 1 unchanged"]


@pytest.mark.parametrize(("given", "message"), [
    (-1, "must be 0 or more"),
    ("0.001", "must have at most 2 digits after the decimal point"),
    ("abc", "must be a number"),
    (True, "must be a number, not true/false"),
    ("NaN", "must be a finite number"),
    (".inf", "must be a number"),
    (1e15, "is too large (at most 14 digits)"),
])
def test_deal_rules_bad_amounts(given, message):
    assert errors_of({"deal_rules": {"minimum_amount": given}}) == [f"deal_rules.minimum_amount: {message}"]


def test_deal_rules_row_is_created_if_missing():
    CrmSettings.objects.all().delete()
    report = setup_apply({"deal_rules": {"zero_becomes_one": False}}, dry_run=True)
    assert report.lines() == ["deal_rules: 1 created, 0 updated, 0 unchanged"]
    assert not CrmSettings.objects.exists()
    setup_apply({"deal_rules": {"zero_becomes_one": False}})
    assert CrmSettings.objects.get().zero_becomes_one is False


# --- dry run --------------------------------------------------------------------------------------

def test_dry_run_writes_nothing_and_reports_what_would_change(example_document):
    before = db_snapshot()
    report = setup_apply(example_document, dry_run=True, environ=EXAMPLE_ENV)
    assert db_snapshot() == before
    assert report.dry_run and report.has_changes
    real = setup_apply(example_document, environ=EXAMPLE_ENV)
    assert report.lines(details=True) == real.lines(details=True)


def test_dry_run_still_validates():
    assert errors_of({"users": [user(role="x")]}, dry_run=True) == [
        "users[0].role: must be one of admin, head, manager"]
