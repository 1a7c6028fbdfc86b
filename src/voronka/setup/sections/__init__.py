"""Built-in sections of the set-up file.

To add a top-level key: write a module with a schema, a `check` and an `apply` that defines
`SECTION = Section(...)`, and register it below. The order below is the order of checking and
applying, so a section that refers to another (tracked_numbers → sources) comes after it.
"""

from voronka.setup.registry import register
from voronka.setup.sections import (
    deal_rules,
    forms,
    lead_statuses,
    mailboxes,
    pipelines,
    robots,
    sla,
    sources,
    telephony,
    tracked_numbers,
    users,
    utm_rules,
    working_hours,
)

for _module in (users, sources, mailboxes, forms, utm_rules, lead_statuses, pipelines, deal_rules, telephony,
                tracked_numbers, working_hours, sla, robots):
    register(_module.SECTION)
