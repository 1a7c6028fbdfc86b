"""Bearer-token authentication: `Authorization: Bearer vrk_…` (see `voronka token create`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from voronka.accounts.models import Role, User
from voronka.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip())
        if user is not None:
            request.user = user
        return user


def can_read_events(user: User) -> bool:
    return user.is_crm_admin or user.role == Role.HEAD
