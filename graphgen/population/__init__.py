"""Stage 1: grow the legitimate population: users, devices, accounts, IPs and who pays whom."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.concurrency import run_parallel
from graphgen.graph import EntityGraph
from graphgen.schema import SCHEDULED_EVENTS
from graphgen.population.accounts import grow_accounts, primary_account_of
from graphgen.population.defaults import card_defaults
from graphgen.population.links import grow_devices, grow_ips
from graphgen.population.payments import PLANNED, add_transfer_edges, co_user_edges, grow_payments, transfer_rows
from graphgen.population.people import assign_employers, grow_people, settle_new_arrivals, shared_phones
from graphgen.sampling import in_windows, stage_rng


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
        The graph in working form (see :mod:`graphgen.graph`), with the payments planned one by one (bill
        splits, collections, savings circles, card defaults) in its transactions table and the customers who
        left in its ``_quiet`` labels.
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
        primary = primary_account_of(accounts, people.n)
        transfers, scheduled = grow_payments(people, accounts, primary, employer_of, config, start, end, money_rng)
        defaults, quiet = card_defaults(people, accounts, primary, config, start, end, stage_rng(seed, "population.defaults"))
        # Those who left make no more payments of their own, scheduled ones included.
        payer = accounts.column("_owner").to_numpy()[scheduled["src_account_id"]]
        stays = ~in_windows(payer, scheduled["ts"], quiet, people.n)
        scheduled = {k: np.concatenate([v[stays], defaults[k]]) for k, v in scheduled.items()}
        return accounts, primary, transfers, scheduled, quiet, transfer_rows(defaults["src_account_id"],
                                                                            defaults["dst_account_id"], PLANNED, defaults["channel"])

    (devices, uses_device, device_groups, ips, uses_ip, ip_groups), (accounts, primary, transfers, scheduled, quiet, default_edges) = \
        run_parallel(links, money)
    co_users = co_user_edges([device_groups, ip_groups], primary, config, stage_rng(seed, "population.co_users"))
    # One pass over the (large) edge table: planned edges first, so a pair's planned pattern wins.
    transfers = add_transfer_edges(None, {k: np.concatenate([transfers[k], co_users[k], default_edges[k]]) for k in transfers})
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
        labels={"_quiet": pa.table(quiet)},  # customers who left: the rings stage adds its sleepers
        config=config,
    )
