"""Importing this module registers every channel's event handler."""

from voronka.api import intake  # noqa: F401  (the API channel)
from voronka.intake.imports import handler as _import_handler  # noqa: F401
from voronka.intake.telephony import generic, mango, zadarma  # noqa: F401
from voronka.mail import handler as _mail_handler  # noqa: F401
from voronka.webforms import handler as _webforms_handler  # noqa: F401
