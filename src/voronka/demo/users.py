"""The demo team: an admin, a head of sales and four managers with PBX extensions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from voronka.accounts.models import Role, User
from voronka.demo.catalog import SITE


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: str
    last_name: str
    first_name: str
    middle_name: str
    extension: str = ""
    lead_share: float = 0.0  # share of new requests routed to this manager
    hired_days_ago: int | None = None  # joined during the demo year

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.middle_name}"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "Соколов", "Дмитрий", "Андреевич"),
    DemoUser("head", Role.HEAD, "Кравцова", "Елена", "Викторовна"),
    DemoUser("manager1", Role.MANAGER, "Лебедев", "Артём", "Сергеевич", "101", 0.32),
    DemoUser("manager2", Role.MANAGER, "Морозова", "Анна", "Игоревна", "102", 0.28),
    DemoUser("manager3", Role.MANAGER, "Гусев", "Павел", "Олегович", "103", 0.24),
    # Hired four months ago: the per-manager reports show a ramp-up.
    DemoUser("manager4", Role.MANAGER, "Белова", "Кристина", "Андреевна", "104", 0.22, 120),
)
DEMO_USERNAMES = tuple(u.username for u in DEMO_USERS)


def demo_users_existing() -> list[str]:
    return sorted(User.objects.filter(username__in=DEMO_USERNAMES)
                  .values_list("username", flat=True))


def demo_users_create(password: str) -> dict[str, User]:
    """Create the demo users; returns them by username.

    The password is hashed once and the hash shared: PBKDF2 costs ~0.3 s per call, and
    the demo users all get the same password anyway.
    """
    hashed = make_password(password)
    domain = SITE.split("//", 1)[1]
    users = [
        User(username=u.username, password=hashed, role=u.role, full_name=u.full_name,
             first_name=u.first_name, last_name=u.last_name, extension=u.extension,
             email=f"{u.username}@{domain}", is_staff=u.role == Role.ADMIN,
             is_superuser=u.role == Role.ADMIN)
        for u in DEMO_USERS
    ]
    User.objects.bulk_create(users)
    return {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}


def demo_users_delete() -> int:
    deleted, _by_model = User.objects.filter(username__in=DEMO_USERNAMES).delete()
    return deleted
