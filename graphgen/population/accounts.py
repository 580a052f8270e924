"""Accounts: each person holds a checking account and a heavy-tailed number of others."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.population.people import PERSON, People
from graphgen.sampling import DAY, HOUR, choose, ranks_within

from graphgen.vocab import BUSINESS_ACCOUNT as BUSINESS
from graphgen.vocab import CHECKING, CREDIT_CARD, SAVINGS
# Median balance and log-spread per account type; credit cards carry what is owed, as a negative balance.
_BALANCE = {CHECKING: (1500.0, 1.1), SAVINGS: (6000.0, 1.3), CREDIT_CARD: (-400.0, 1.0), BUSINESS: (40000.0, 1.5)}
CREDIT_LIMIT = (3000.0, 0.6)  # median and log-spread of credit-card limits
LIMIT_HEADROOM = 1.25  # a card's limit is at least this times what is owed on it
OTHER_ACCOUNT_TYPE_SHARES = np.array([0.1, 0.55, 0.35])  # accounts beyond the first: checking, savings, credit card
ARRIVALS_CARD_SHARE = 0.7  # new arrivals in a flat-share with a credit card beside their checking account
FIRST_ACCOUNT_DAYS = 3  # people open their first account within days of signing up


def account_rows(owner: np.ndarray, account_type: np.ndarray, opened: np.ndarray, primary: np.ndarray,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Working columns of new accounts."""
    balance = np.zeros(len(owner))
    for code, (median, spread) in _BALANCE.items():
        mask = account_type == code
        balance[mask] = median * np.exp(spread * rng.standard_normal(int(mask.sum())))
    card = account_type == CREDIT_CARD
    limit = np.zeros(len(owner))
    limit[card] = np.maximum(CREDIT_LIMIT[0] * np.exp(CREDIT_LIMIT[1] * rng.standard_normal(int(card.sum()))),
                             -LIMIT_HEADROOM * balance[card])
    return {
        "account_type": account_type.astype(np.int8), "opened_at": opened.astype(np.int64),
        "balance": np.round(balance, 2), "credit_limit": np.round(limit, -2), "_owner": owner.astype(np.int64), "_primary": primary.astype(bool),
    }


def first_account_opened(created: np.ndarray, end: int, rng: np.random.Generator) -> np.ndarray:
    """People open their first account within days of signing up."""
    return np.minimum(created + (rng.random(len(created)) * FIRST_ACCOUNT_DAYS * DAY).astype(np.int64), end - HOUR)


def grow_accounts(people: People, config: GraphgenConfig, end: int, rng: np.random.Generator) -> pa.Table:
    counts = np.maximum(config.population.accounts_per_user.draw(rng, people.n), 1)
    counts[people.kind != PERSON] = 1
    # Students and new arrivals sharing a flat mostly take a credit card with their first account.
    arrived = people.in_households(people.arrivals)
    counts[arrived] = np.maximum(counts[arrived], 2)
    owner = np.repeat(np.arange(people.n), counts)
    rank = ranks_within(counts)
    primary = rank == 0
    account_type = np.array([CHECKING, SAVINGS, CREDIT_CARD])[choose(OTHER_ACCOUNT_TYPE_SHARES, len(owner), rng)]
    account_type[(rank == 1) & arrived[owner] & (rng.random(len(owner)) < ARRIVALS_CARD_SHARE)] = CREDIT_CARD
    account_type[primary] = CHECKING
    account_type[people.kind[owner] != PERSON] = BUSINESS
    created = people.created[owner]
    later = created + (rng.random(len(owner)) * (end - HOUR - created)).astype(np.int64)
    opened = np.where(primary, first_account_opened(created, end, rng), later)
    return pa.table(account_rows(owner, account_type, opened, primary, rng))


def primary_account_of(accounts: pa.Table, n_users: int) -> np.ndarray:
    """Each user's primary (first checking or business) account, -1 if none."""
    out = np.full(n_users, -1, dtype=np.int64)
    idx = np.flatnonzero(accounts.column("_primary").to_numpy())
    out[accounts.column("_owner").to_numpy()[idx]] = idx
    return out


def first_card_of(accounts: pa.Table, n_users: int) -> np.ndarray:
    """Each user's first credit card, -1 if none."""
    out = np.full(n_users, -1, dtype=np.int64)
    cards = np.flatnonzero(accounts.column("account_type").to_numpy() == CREDIT_CARD)[::-1]  # the first one written last
    out[accounts.column("_owner").to_numpy()[cards]] = cards
    return out
