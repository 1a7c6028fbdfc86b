"""Importing this module registers every channel's event handler."""

from voronka.intake.telephony import mango  # noqa: F401
