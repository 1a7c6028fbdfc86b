"""API tokens: shown once, stored as SHA-256 only; the `token` management command."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from voronka.accounts.models import ApiToken
from voronka.accounts.services import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stored_columns(token: ApiToken) -> list[str]:
    """Every stored value of the token row, as text."""
    return [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]


def test_create_returns_the_raw_token_once_and_stores_only_its_hash(manager):
    token, raw = api_token_create(user=manager, name="1С")
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) >= len(TOKEN_PREFIX) + 43  # 32 random bytes, base64url
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == sha256(raw)
    assert stored.prefix == raw[:len(TOKEN_PREFIX) + 6]
    assert (stored.user, stored.name, stored.is_active) == (manager, "1С", True)
    assert stored.last_used_at is None
    assert raw not in stored_columns(token)
    assert not any(raw[len(TOKEN_PREFIX) + 6:] in column for column in stored_columns(token))


def test_every_token_is_different(manager):
    raws = {api_token_create(user=manager)[1] for _ in range(20)}
    assert len(raws) == 20


def test_the_raw_token_authenticates_its_user_and_records_the_use(manager):
    token, raw = api_token_create(user=manager)
    assert api_token_authenticate(raw) == manager
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=5)


@pytest.mark.parametrize("attempt", ["", None, "vrk_", "wrong", "Bearer {raw}", "{raw}x",
                                     "{raw_without_prefix}", "{hash}", "{raw_upper}"])
def test_wrong_tokens_are_refused(manager, attempt):
    token, raw = api_token_create(user=manager)
    value = None if attempt is None else attempt.format(
        raw=raw, raw_without_prefix=raw[len(TOKEN_PREFIX):], hash=sha256(raw),
        raw_upper=TOKEN_PREFIX + raw[len(TOKEN_PREFIX):].swapcase())
    assert api_token_authenticate(value) is None
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_revoked_token_is_refused(manager):
    token, raw = api_token_create(user=manager)
    api_token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active
    assert api_token_authenticate(raw) is None
    # revoking again keeps the first revocation time
    first = token.revoked_at
    api_token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at == first


def test_revoking_one_token_leaves_the_others(manager):
    first, first_raw = api_token_create(user=manager, name="a")
    _second, second_raw = api_token_create(user=manager, name="b")
    api_token_revoke(token=first)
    assert api_token_authenticate(first_raw) is None
    assert api_token_authenticate(second_raw) == manager


def test_the_token_of_an_inactive_user_is_refused(manager):
    _token, raw = api_token_create(user=manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert api_token_authenticate(raw) is None


def test_last_used_at_is_written_at_most_once_a_minute(manager):
    token, raw = api_token_create(user=manager)
    # given a use 30 seconds ago
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    # when used again, the time is not rewritten
    assert api_token_authenticate(raw) == manager
    token.refresh_from_db()
    assert token.last_used_at == recent
    # but after more than a minute it is
    old = timezone.now() - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert api_token_authenticate(raw) == manager
    token.refresh_from_db()
    assert token.last_used_at > old
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=5)


# --- `voronka token` -------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_create_prints_a_token_that_authenticates(manager):
    printed = run("create", "manager").strip()
    assert re.fullmatch(r"vrk_[A-Za-z0-9_\-]+", printed)
    assert api_token_authenticate(printed) == manager
    assert ApiToken.objects.get(user=manager).name == "default"


def test_token_create_with_a_name(manager):
    run("create", "manager", "--name", "Телефония")
    assert ApiToken.objects.get(user=manager).name == "Телефония"


def test_token_create_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="nobody"):
        run("create", "nobody")
    assert ApiToken.objects.count() == 0


def test_token_list_never_prints_the_raw_token(manager, head):
    raw = run("create", "manager", "--name", "1С").strip()
    run("create", "head")
    token = ApiToken.objects.get(user=manager)

    listing = run("list")

    assert raw not in listing
    assert raw[len(TOKEN_PREFIX) + 6:len(TOKEN_PREFIX) + 16] not in listing
    assert token.key_hash not in listing
    lines = listing.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[:4] == [str(token.pk), "manager", "1С", f"{token.prefix}…"]
    assert "active" in lines[0] and "last used: never" in lines[0]
    # filtered by user
    assert [line.split("\t")[1] for line in run("list", "head").strip().splitlines()] == ["head"]


def test_token_revoke_revokes_by_id(manager):
    raw = run("create", "manager").strip()
    token = ApiToken.objects.get(user=manager)
    assert f"Токен {token.pk} отозван." in run("revoke", str(token.pk))
    assert api_token_authenticate(raw) is None
    assert "\trevoked\t" in run("list")


def test_token_revoke_of_an_unknown_id_fails(db):
    with pytest.raises(CommandError, match="999"):
        run("revoke", "999")
