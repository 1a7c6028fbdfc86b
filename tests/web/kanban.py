"""Driving the kanban in Chromium: a real mouse drag, as SortableJS expects one."""

from __future__ import annotations


def drag(page, deal_id: int, stage_id: int) -> None:
    """Drag the deal's card onto the stage's column (the move is saved by the drop)."""
    card = page.locator(f'.kanban__card[data-deal="{deal_id}"]:not(.is-saving)')
    card.wait_for()
    page.wait_for_timeout(400)  # SortableJS's drop animation (150 ms) has settled
    target = page.locator(f'.kanban__cards[data-stage="{stage_id}"]')
    box, goal = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20, steps=5)
    page.mouse.move(goal["x"] + 40, goal["y"] + 15, steps=15)
    page.mouse.up()
