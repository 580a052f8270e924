"""Bust-out: synthetic identities opened close together, tied by shared fragments of identity, build a quiet
credit history, then run their credit cards up to the limit within days, bounce a repayment, cash out their
checking accounts and vanish.

A ring is ``identities`` synthetic customers of one country who sign up within ``signup_days`` of each other,
``history_days`` before the bust. Some of them give one postal address (``address_share``), one phone number
(``phone_share``) or are set up on one phone (``device_share``); every ring shares at least one of them. Each
opens a credit card days after signing up and pays small card purchases and on-time repayments for weeks to
months (``history_payments`` over the whole history, of which the horizon shows its part). Within ``bust_days``
the card is run up to ``spent`` of its limit in a few purchases, ``bounce_share`` of them pay the card with a
repayment that is returned (which frees the limit for one more round of spending before the bank notices), the
checking balance goes to exchanges, and the identities fall silent. Look-alikes in the population: flat-shares
of students and new arrivals who sign up together at one address, families giving one phone number, shop demo
devices, cards run up to the limit for a holiday or a laptop, people living payday to payday whose payments
bounce, and young customers who run a card up, bounce a repayment, empty their account and leave, alone or a
whole flat-share at once (:mod:`graphgen.population.defaults`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import EVERYDAY_PAYMENT, RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, HOUR, choose, ranks_within, uniform_times
from graphgen.vocab import CHANNEL, COUNTRY_WEIGHTS, CREDIT_CARD, MOBILE

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

MIN_VISIBLE_DAYS = 14  # the bust falls at least this far into the horizon, so some history shows
CARD_AFTER_DAYS = (1, 20)  # the credit card is opened this long after sign-up
SHARE_MEMBERS = 0.7  # members of a ring who take part in a shared fragment (two at least)
SIGNUP_DEVICE_DAYS = (0.02, 2)  # an identity set up on the ring's phone uses it for this long
HISTORY_SPREAD = 0.6  # log-normal sigma of history payments around their median
REPAYMENT_DAYS = 30  # the history's card bills are repaid monthly, in full
BUST_PURCHASES = IntRange(low=2, high=6)
SPENT_AGAIN = (0.5, 1.0)  # of the run-up, spent again while the bounced repayment is in flight
CASH_OUT_SHARE = (0.6, 1.0)  # of the checking balance, sent to exchanges in the bust


class BustOutConfig(TypologyConfig):
    share: Share = 0.002
    identities: Count = Count(min=2, median=4, max=10, sigma=0.5)  # synthetic identities in one ring
    signup_days: FloatRange = FloatRange(low=1, high=21)  # the identities sign up within this
    history_days: FloatRange = FloatRange(low=30, high=150)  # from the first sign-up to the bust
    history_payments: IntRange = IntRange(low=10, high=40)  # small card payments over the whole history
    history_median: float = 35.0
    address_share: Share = 0.5  # rings whose identities give one address
    phone_share: Share = 0.4  # ... one phone number
    device_share: Share = 0.4  # ... were set up on one phone
    bust_days: FloatRange = FloatRange(low=1, high=7)  # the cards are run up within this
    spent: FloatRange = FloatRange(low=0.5, high=1.0)  # of each card's limit, run up in the bust
    bounce_share: Share = 0.5  # identities whose card repayment in the bust is returned

    def min_horizon_days(self) -> float:
        return MIN_VISIBLE_DAYS + self.bust_days.high

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        return {"signup_days": self.signup_days.high, "spike_days": self.bust_days.high}


@register("bust_out", BustOutConfig,
          roles={"user": ("synthetic_identity",), "account": ("bust_out_account",), "device": ("setup_device",)},
          query=RingQuery("11_bust_out.cypher", "user_ids", "user"))
def plant(builder: RingBuilder, config: BustOutConfig, rng: np.random.Generator) -> None:
    """Bust-out: shared identity fragments, a quiet credit history, the cards run up, a bounce, silence."""
    sizes = builder.ring_sizes(lambda n: config.identities.draw(rng, n))
    n_rings = len(sizes)
    if not n_rings:
        return
    bust_window = (config.bust_days.draw(rng, n_rings) * DAY).astype(np.int64)
    bust = uniform_times(np.full(n_rings, builder.start + MIN_VISIBLE_DAYS * DAY), builder.end - bust_window, rng)
    first_signup = bust - (config.history_days.draw(rng, n_rings) * DAY).astype(np.int64)
    ring = np.repeat(np.arange(n_rings), sizes)
    n, rank = len(ring), ranks_within(sizes)
    created = np.minimum(first_signup[ring] + (rng.random(n) * config.signup_days.draw(rng, n_rings)[ring] * DAY).astype(np.int64),
                         bust[ring] - 7 * DAY)

    # Shared fragments: each chosen one is given by two or more of the ring's identities; every ring has one.
    chosen = rng.random((n_rings, 3)) < [config.address_share, config.phone_share, config.device_share]
    chosen[np.arange(n_rings), rng.integers(0, 3, n_rings)] |= ~chosen.any(axis=1)
    takes_part = (rng.random((n, 3)) < SHARE_MEMBERS) | (rank < 2)[:, None]
    sharing = chosen[ring] & takes_part
    household = np.where(sharing[:, 0], builder.identity_groups("_household", n_rings)[ring], -1)
    phone_group = np.where(sharing[:, 1], builder.identity_groups("_phone_group", n_rings)[ring], -1)
    country = choose(COUNTRY_WEIGHTS, n_rings, rng)[ring]
    users = builder.sign_up(created, country, household, phone_group)
    rings = builder.new_rings(first_signup, bust + bust_window)

    on_device = np.flatnonzero(sharing[:, 2])
    used, device_of = np.unique(ring[on_device], return_inverse=True)  # rings set up on one phone, and which
    setup_devices = builder.add_devices(np.full(len(used), MOBILE))
    builder.link_devices(users[on_device], setup_devices[device_of], created[on_device],
                         created[on_device] + (rng.uniform(*SIGNUP_DEVICE_DAYS, len(on_device)) * DAY).astype(np.int64))
    builder.members(rings[used], "device", setup_devices, "setup_device")

    ring_of = rings[ring]
    checking = builder.primary_account[users]
    card_opened = np.minimum(created + (rng.uniform(*CARD_AFTER_DAYS, n) * DAY).astype(np.int64), bust[ring] - DAY)
    card = builder.add_accounts(users, card_opened, account_type=CREDIT_CARD)
    limit = builder.account_values("credit_limit", card)

    # The history the horizon shows: small card purchases and the monthly bills paid in full, on time. It is
    # ordinary spending, not labelled fraud (no ring): the bank learns of the scheme from the bust, as it would.
    visible_from = np.maximum(card_opened, builder.start)
    history = bust[ring] - first_signup[ring]
    per_member = config.history_payments.draw(rng, n)
    n_visible = np.round(per_member * np.clip((bust[ring] - visible_from) / history, 0, 1)).astype(np.int64)
    of = np.repeat(np.arange(n), n_visible)
    ts = uniform_times(visible_from[of], bust[ring][of] - HOUR, rng)
    typical = builder.typical_amount(config.history_median, EVERYDAY_PAYMENT)
    amount = builder.rounded(typical * np.exp(HISTORY_SPREAD * rng.standard_normal(len(of))), 5.0)
    # At the few shops an identity frequents, as people shop (one new shop per purchase would stand out).
    shops = np.maximum(builder.config.population.merchants_per_user.draw(rng, n), 1)
    shop = builder.merchants(int(shops.sum()))[(np.cumsum(shops) - shops)[of] + (rng.random(len(of)) * shops[of]).astype(np.int64)]
    builder.schedule(card[of], shop, ts, amount, CHANNEL["card"], None)
    bills = np.maximum((bust[ring] - visible_from) // (REPAYMENT_DAYS * DAY), 1)
    bill_of = np.repeat(np.arange(n), bills)
    paid_at = visible_from[bill_of] + (ranks_within(bills) + rng.uniform(0.8, 1.0, len(bill_of))) * REPAYMENT_DAYS * DAY
    owed = np.bincount(of, weights=amount, minlength=n) / bills
    paid = paid_at < bust[ring][bill_of]
    builder.schedule(checking[bill_of][paid], card[bill_of][paid], paid_at[paid].astype(np.int64),
                     builder.rounded(owed[bill_of][paid] * rng.uniform(0.9, 1.1, int(paid.sum())), 10.0), CHANNEL["transfer"], None)

    # The bust: the cards run up to the limit, a repayment that bounces and a second round, checking cashed out.
    bust_start, bust_end = bust[ring], bust[ring] + bust_window[ring]
    builder.run_cards_up(card, checking, ring_of, limit * config.spent.draw(rng, n), bust_start, bust_end,
                         BUST_PURCHASES.draw(rng, n), config.bounce_share, SPENT_AGAIN)
    cash = builder.account_values("balance", checking) * rng.uniform(*CASH_OUT_SHARE, n)
    builder.cash_out(checking, ring_of, bust_start, bust_end, np.maximum(cash, 100.0))
    builder.keep_quiet(users, bust_end, np.full(n, builder.end + 1))

    builder.members(ring_of, "user", users, "synthetic_identity")
    builder.members(np.concatenate([ring_of, ring_of]), "account", np.concatenate([checking, card]), "bust_out_account")
