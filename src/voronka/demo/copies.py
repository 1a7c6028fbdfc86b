"""The business process «Создать копию ЛИД + Сделка» of seed 003.

A won client asks for the same service for more trucks. The manager runs the process on
the mother deal: it creates N converted repeat leads and N child deals with the mother's
client, source, UTM and responsible manager, records who made the upsell, and notes the
copies on the mother deal's timeline.
"""

from __future__ import annotations

import datetime as dt

from voronka.demo import events
from voronka.demo.catalog import BP_NAME, amount_random
from voronka.demo.clients import ClientRef
from voronka.demo.deals import DealInput, deal_build
from voronka.demo.flows import comm_for_copy, lead_mark_converted, lead_row
from voronka.demo.state import Run

COPY_WIN_RATE = 0.9  # the client already asked for them
COPIES = ((1, 30), (2, 30), (3, 18), (4, 10), (5, 12))
OTHER_MANAGER_SHARE = 0.2  # the client's manager was away; a colleague took the order


def copies_make(run: Run, at: dt.datetime, client: ClientRef) -> None:
    rng, d = run.rng, run.dicts
    wanted = rng.choices([n for n, _w in COPIES], [w for _n, w in COPIES])[0]
    by_other = rng.random() < OTHER_MANAGER_SHARE
    # Copies count towards --leads: never make more than the requests still to come.
    count = min(wanted, run.slots_left - run.skip)
    if count <= 0:
        return
    parent, owner = client.deal, client.responsible
    actor = run.manager_at(at, exclude=owner) if by_other else owner
    person = client.person
    copies = []
    moment = at
    for _index in range(count):
        moment += dt.timedelta(seconds=rng.randint(3, 15))
        converted_at = moment + dt.timedelta(seconds=2)
        lead = lead_row(
            title=f"Повторный лид из сделки «{parent.title}»"[:255], name=person.first,
            last_name=person.last, second_name=client.contact.second_name,
            company_title=client.company_title, source_id=client.source.pk,
            source_description=parent.source_description, responsible_id=owner.pk,
            comments=f"Создан бизнес-процессом «{BP_NAME}» из материнской сделки",
            is_repeat=True, first_handled_at=converted_at, closed_at=converted_at,
            created_by_id=actor.pk, created_at=moment, **client.tracking,
        )
        lead.contact, lead.company = client.contact, client.company
        lead.status = d.status_new
        run.batch.leads.append(lead)
        comm = comm_for_copy(client, lead)
        if comm is not None:
            run.batch.communications.append(comm)
        run.event(events.lead_created(lead, at=moment, actor_id=actor.pk, source=client.source,
                                      responsible=owner, is_repeat=True, contact=client.contact,
                                      company=client.company))
        deal, won_at = deal_build(run, DealInput(
            title=f"{client.service.title} — {client.display}",
            amount=amount_random(rng, client.service, 1), at=converted_at, actor=actor,
            responsible=owner, lead=lead, contact=client.contact, company=client.company,
            source=client.source, first_touch=client.first_touch,
            source_description=parent.source_description, tracking=client.tracking,
            comments=lead.comments, is_repeat=True, win_rate=COPY_WIN_RATE, parent=parent,
            upsell_manager=actor))
        lead_mark_converted(run, lead, deal, client.contact, client.company, created=False,
                            actor_id=actor.pk)
        copies.append(deal)
        if won_at is not None:
            # The mother deal stays the client's reference: copies are never copied again.
            run.pool.won(client, won_at)
    run.event(events.copies_made(parent, copies, at=moment, actor=actor, process=BP_NAME,
                                 contact=client.contact, company=client.company))
    run.stats.leads += count
    run.stats.leads_copied += count
    run.skip += count
