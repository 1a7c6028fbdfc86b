"""`voronka token create|list|revoke`: manage API tokens."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from voronka.accounts.models import ApiToken, User
from voronka.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="default")
        listing = sub.add_parser("list", help="List tokens (never their values).")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"Нет пользователя {options['username']!r}.")
            _token, raw = api_token_create(user=user, name=options["name"])
            self.stdout.write(raw)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("id")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.id}\t{token.user.username}\t{token.name}\t{token.prefix}…"
                    f"\t{state}\tlast used: {used}"
                )
        else:
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"Нет токена с id {options['token_id']}.")
            api_token_revoke(token=token)
            self.stdout.write(f"Токен {token.id} отозван.")
