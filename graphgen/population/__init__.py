"""Stage 1: grow the legitimate population: users, devices, accounts, IPs and who pays whom."""

from __future__ import annotations

import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.concurrency import run_parallel
from graphgen.graph import EntityGraph
from graphgen.schema import SCHEDULED_EVENTS
from graphgen.population.accounts import grow_accounts, primary_account_of
from graphgen.population.links import grow_devices, grow_ips
from graphgen.population.payments import add_transfer_edges, co_user_edges, grow_payments
from graphgen.population.people import assign_employers, grow_people, settle_new_arrivals, shared_phones
from graphgen.sampling import stage_rng


def grow_population(config: GraphgenConfig, seed: int | None = None) -> EntityGraph:
    """Grow the legitimate population described by ``config``.

    Parameters
    ----------
    config : GraphgenConfig
        Population size, horizon and decoy rates.
    seed : int, optional
        Random seed; defaults to ``config.seed``.

    Returns
    -------
    EntityGraph
        The graph in working form (see :mod:`graphgen.graph`), with the bill-splitting loops already
        scheduled in its transactions table.
    """
    seed = config.seed if seed is None else seed
    rng = stage_rng(seed, "population")
    start, end = config.horizon_ms()
    people = grow_people(config, start, end, rng)
    identities_rng = stage_rng(seed, "population.identities")
    settle_new_arrivals(people, config.decoys.new_arrivals_share, config.decoys.arrivals_within_days, start, end,
                        identities_rng)
    phone_group = shared_phones(people, config.decoys.shared_phone_share, identities_rng)
    employer_of = assign_employers(people, config.population.employed_share, rng)

    def links():
        links_rng = stage_rng(seed, "population.links")
        return (*grow_devices(people, employer_of, config, start, end, links_rng),
                *grow_ips(people, employer_of, config, start, end, links_rng))

    def money():
        money_rng = stage_rng(seed, "population.money")
        accounts = grow_accounts(people, config, end, money_rng)
        return accounts, *grow_payments(people, accounts, primary_account_of(accounts, people.n), employer_of,
                                        config, start, end, money_rng)

    (devices, uses_device, device_groups, ips, uses_ip, ip_groups), (accounts, transfers, scheduled) = run_parallel(links, money)
    transfers = add_transfer_edges(transfers, co_user_edges([device_groups, ip_groups], primary_account_of(accounts, people.n),
                                                            config, stage_rng(seed, "population.co_users")))
    users = pa.table({
        "country": people.country, "segment": people.segment, "created_at": people.created,
        "_family": people.family, "_household": people.household,
        "_phone_group": phone_group, "_kind": people.kind,
    })
    return EntityGraph(
        nodes={"user": users, "device": devices, "account": accounts, "ip": ips},
        edges={"uses_device": uses_device, "uses_ip": uses_ip, "transfers_to": transfers},
        transactions=pa.table(scheduled),
        events=SCHEDULED_EVENTS.schema.empty_table(),  # planted by the rings stage, derived by the events stage
        config=config,
    )
