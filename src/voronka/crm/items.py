"""A lead or a deal taken as "the item": what timelines, tasks, robots and their runs hang on."""

from __future__ import annotations

from voronka.crm.models import Deal, Lead


def item_owner(item: Lead | Deal) -> dict[str, Lead | Deal]:
    """The keyword that ties a timeline event, task or robot run to the item: lead= or deal=."""
    return {"lead": item} if isinstance(item, Lead) else {"deal": item}


def item_path(item: Lead | Deal) -> str:
    """The item's card in the workspace."""
    return f"/leads/{item.pk}/" if isinstance(item, Lead) else f"/deals/{item.pk}/"
