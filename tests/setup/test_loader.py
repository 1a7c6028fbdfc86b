"""Reading files, `${ENV}` substitution and error paths."""

from __future__ import annotations

import pytest

from voronka.setup.errors import Issue, SetupValidationError, format_path
from voronka.setup.loader import load_document, substitute_env


@pytest.mark.parametrize(("loc", "expected"), [
    (("users", 0, "role"), "users[0].role"),
    (("telephony", 0, "salt"), "telephony[0].salt"),
    (("pipelines", 1, "stages", 2, "code"), "pipelines[1].stages[2].code"),
    (("deal_rules",), "deal_rules"),
    (("users", 0, "a.b"), "users[0]['a.b']"),
    ((), ""),
])
def test_format_path(loc, expected):
    assert format_path(loc) == expected


def test_issue_text_names_the_path():
    assert str(Issue("users[0].role", "required")) == "users[0].role: required"
    assert str(Issue("", "file not found: x")) == "file not found: x"


def test_substitute_env_replaces_variables_in_nested_string_values_only():
    document = {"users": [{"username": "a", "password": "${PASS}", "note": "pre-${PASS}-post",
                           "sort": 10, "${PASS}": "key is not substituted"}]}
    result, issues = substitute_env(document, {"PASS": "s3cret-value"})
    assert issues == []
    item = result["users"][0]
    assert item["password"] == "s3cret-value"
    assert item["note"] == "pre-s3cret-value-post"
    assert item["sort"] == 10
    assert item["${PASS}"] == "key is not substituted"
    assert document["users"][0]["password"] == "${PASS}", "the input must not be modified"


def test_substituted_value_is_not_expanded_again():
    result, issues = substitute_env({"a": "${A}"}, {"A": "${B}"})
    assert (result, issues) == ({"a": "${B}"}, [])


def test_double_dollar_is_a_literal():
    result, issues = substitute_env({"password": "x$${NOT_A_VAR}y"}, {})
    assert (result, issues) == ({"password": "x${NOT_A_VAR}y"}, [])


def test_missing_variable_names_the_path():
    document = {"users": [{"password": "${A}"}, {"password": "${DEMO_PASS}"}]}
    _result, issues = substitute_env(document, {"A": "aaaaaaaa"})
    assert [str(i) for i in issues] == ["users[1].password: environment variable DEMO_PASS is not set"]


def test_invalid_and_unclosed_references_are_errors():
    _result, issues = substitute_env({"a": "${DEMO-PASS}", "b": ["${OPEN"]}, {})
    assert [i.path for i in issues] == ["a", "b[0]"]
    assert "not a valid environment variable" in issues[0].message
    assert "without a closing" in issues[1].message


def test_load_yaml(write_file):
    path = write_file("sources:\n  - {code: AVITO, name: Авито}\n")
    assert load_document(path) == {"sources": [{"code": "AVITO", "name": "Авито"}]}


def test_load_json_by_extension(write_file):
    path = write_file('{\n\t"sources": [{"code": "AVITO", "name": "Авито"}]\n}', name="company.json")
    assert load_document(path) == {"sources": [{"code": "AVITO", "name": "Авито"}]}


@pytest.mark.parametrize(("content", "name", "fragment"), [
    ("- a\n- b\n", "f.yaml", "top level of the file must be a mapping"),
    ("just text", "f.yaml", "top level of the file must be a mapping"),
    ("", "f.yaml", "the file is empty"),
    ("# only a comment\n", "f.yaml", "the file is empty"),
    ("users: [\n", "f.yaml", "cannot parse the file"),
    ("users: []\nusers: []\n", "f.yaml", "duplicate key 'users' (first defined on line 1)"),
    ("a:\n  b: 1\n  b: 2\n", "f.yaml", "duplicate key 'b'"),
    ('{"users": [], "users": []}', "f.json", "duplicate key 'users'"),
    ("{'users': []}", "f.json", "cannot parse the file"),
    ("x: !!python/object:os.system ls\n", "f.yaml", "cannot parse the file"),
    ("x: 2001-13-45\n", "f.yaml", "cannot parse the file"),
])
def test_bad_files_are_clear_errors(write_file, content, name, fragment):
    with pytest.raises(SetupValidationError) as caught:
        load_document(write_file(content, name=name))
    assert fragment in str(caught.value)


def test_yaml_merge_keys_may_be_overridden(write_file):
    path = write_file("base: &b {name: A, sort: 1}\nitem:\n  <<: *b\n  sort: 2\n")
    assert load_document(path)["item"] == {"name": "A", "sort": 2}


def test_missing_file(tmp_path):
    with pytest.raises(SetupValidationError, match="file not found"):
        load_document(tmp_path / "nope.yaml")


def test_directory_and_binary_file(tmp_path):
    with pytest.raises(SetupValidationError, match="not a file"):
        load_document(tmp_path)
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SetupValidationError, match="not UTF-8"):
        load_document(binary)


def test_alias_bomb_is_refused_instead_of_hanging():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    from voronka.setup.loader import parse_document

    document = parse_document("\n".join(lines))
    with pytest.raises(SetupValidationError, match="more than"):
        substitute_env(document, {})
