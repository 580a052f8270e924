"""Credit losses that are not fraud: young customers who run their card up, stop paying and go quiet.

A bust-out's last days without the ring: someone who lost a job or is moving abroad spends most of a new card's
limit within days, a repayment bounces, the checking account goes to family or an exchange, and nothing more
comes from them. Flat-shares of new arrivals leaving at the end of a term do it together, so young customers who
signed up together at one address, ran their cards up and fell silent are no proof of a ring.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.population.accounts import first_card_of
from graphgen.population.payments import payment_rows, person_to_person_channels, round_amounts, run_cards_up
from graphgen.population.people import EXCHANGE, MERCHANT, PERSON, People
from graphgen.sampling import DAY, HOUR, uniform_times
from graphgen.vocab import CHANNEL, RETURNED

YOUNG_DAYS = 180  # customers who signed up this long before the horizon at most
SETTLED_DAYS = 14  # a card is run up this long after the customer signed up and the card was opened, at least
RUN_UP_PURCHASES = (1, 6)  # purchases that run the card up
TO_EXCHANGE_SHARE = 0.4  # of leavers' checking balances, sent to an exchange rather than to a relative
DRAINED = (0.5, 1.0)  # of the checking balance, sent away before leaving
DRAIN_PIECES = 5  # sent in one to this many payments
SPEND_AGAIN_SHARE = 0.5  # of those whose repayment bounces, those who spend again before it comes back
SPENT_AGAIN = (0.2, 0.8)  # of what they had run up


def card_defaults(people: People, accounts: pa.Table, acct: np.ndarray, config: GraphgenConfig, start: int, end: int,
                  rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Young customers who run their card up and leave: ``(payments, quiet windows)``.

    ``card_default_share`` of the young card holders default one by one; in ``arrivals_leave_share`` of the
    new arrivals' flat-shares every flatmate leaves at one time, running up the card where they hold one.
    Each leaver spends ``default_spent`` of the card's limit within ``default_days``, ``default_bounce_share``
    of them with a card repayment that is returned, empties the checking account and is quiet from then on.
    """
    decoys = config.decoys
    opened = accounts.column("opened_at").to_numpy()
    card_of = first_card_of(accounts, people.n)
    holds_card = card_of >= 0
    ready = np.maximum(people.created, np.where(holds_card, opened[np.maximum(card_of, 0)], 0)) + SETTLED_DAYS * DAY
    young = (people.kind == PERSON) & (people.created >= start - YOUNG_DAYS * DAY)

    # A flat leaves together, when its last flatmate is ready; the others each at their own time.
    leaving_flat = people.arrivals & (rng.random(people.n_households) < decoys.arrivals_leave_share)
    in_flat = people.in_households(leaving_flat)
    flat_ready = np.full(people.n_households + 1, start, dtype=np.int64)  # the extra entry: users in no household
    np.maximum.at(flat_ready, people.household, ready)
    flat_window = (decoys.default_days.draw(rng, len(flat_ready)) * DAY).astype(np.int64)
    flat_leaves = uniform_times(flat_ready, end - flat_window, rng)
    own_window = (decoys.default_days.draw(rng, people.n) * DAY).astype(np.int64)
    own_leaves = uniform_times(np.maximum(ready, start), end - own_window, rng)
    alone = young & holds_card & ~in_flat & (rng.random(people.n) < decoys.card_default_share)
    leaves_at = np.where(in_flat, flat_leaves[people.household], own_leaves)
    window = np.where(in_flat, flat_window[people.household], own_window)
    leavers = np.flatnonzero((alone | in_flat) & (leaves_at >= np.maximum(ready, start)) & (leaves_at + window < end))
    t0, t1 = leaves_at[leavers], leaves_at[leavers] + window[leavers]

    merchants, exchanges = acct[people.of_kind(MERCHANT)], acct[people.of_kind(EXCHANGE)]
    payments = []
    debtors = leavers[holds_card[leavers]]
    if len(debtors) and len(merchants):
        card = card_of[debtors]
        d0, d1 = t0[holds_card[leavers]], t1[holds_card[leavers]]
        spend = accounts.column("credit_limit").to_numpy()[card] * decoys.default_spent.draw(rng, len(card))
        run = run_cards_up(spend, d0, d1, rng.integers(RUN_UP_PURCHASES[0], RUN_UP_PURCHASES[1] + 1, len(card)),
                           decoys.default_bounce_share, SPEND_AGAIN_SHARE, SPENT_AGAIN, rng)
        payments.append(payment_rows(card[run.purchase_of], merchants[rng.integers(0, len(merchants), len(run.purchase_of))],
                                     run.purchase_at, _rounded(run.purchase_amount, config, rng), CHANNEL["card"]))
        payments.append(payment_rows(acct[debtors[run.bounced]], card[run.bounced], run.bounced_at,
                                     _rounded(spend[run.bounced], config, rng), CHANNEL["transfer"], status=RETURNED))
    relatives = people.of_kind(PERSON)
    relatives = relatives[opened[acct[relatives]] < start]  # whose account is open by then
    payee = acct[relatives[rng.integers(0, len(relatives), len(leavers))]] if len(relatives) else np.full(len(leavers), -1)
    to_exchange = rng.random(len(leavers)) < (TO_EXCHANGE_SHARE if len(exchanges) else 0.0)
    payee[to_exchange] = exchanges[rng.integers(0, max(len(exchanges), 1), int(to_exchange.sum()))]
    checking = acct[leavers]
    drained = np.maximum(accounts.column("balance").to_numpy()[checking] * rng.uniform(*DRAINED, len(leavers)), 20.0)
    channel = np.where(to_exchange, CHANNEL["instant"], person_to_person_channels(len(leavers), config.population.instant_share, rng))
    # In one go or a few, as a bank's daily limit on transfers allows.
    pieces = rng.integers(1, DRAIN_PIECES + 1, len(leavers))
    of = np.repeat(np.arange(len(leavers)), pieces)
    payments.append(payment_rows(checking[of], payee[of], uniform_times(t0[of], t1[of], rng),
                                 _rounded(drained[of] / pieces[of], config, rng), channel[of]))
    rows = {k: np.concatenate([p[k] for p in payments]) for k in payments[0]}
    sent = (rows["dst_account_id"] >= 0) & (rows["src_account_id"] != rows["dst_account_id"])
    rows = {k: v[sent] for k, v in rows.items()}
    quiet = {"user": leavers.astype(np.int64), "from": t1 + HOUR, "to": np.full(len(leavers), end + 1, np.int64)}
    return rows, quiet


def _rounded(amount: np.ndarray, config: GraphgenConfig, rng: np.random.Generator) -> np.ndarray:
    return round_amounts(amount, config.population.round_amount_share, 10.0, rng)
