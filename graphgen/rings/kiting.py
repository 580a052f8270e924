"""Kiting: money sent around a cycle of accounts A1 -> A2 -> ... -> Ak -> A1, round after round.

Hops within a round are time-ordered and hours apart; each hop carries the previous amount less a small
fee, and each round starts bigger than the last (the float being inflated). The cycle accounts belong
to one to k owners: fresh accounts opened for the scheme, or (camouflage) established owners' own. After
the last round one account cashes out at an exchange.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from typing import TYPE_CHECKING

from graphgen.params import FloatRange, IntRange, Share
from graphgen.rings.base import LARGE_EVERYDAY_PAYMENT, RHYTHM_SLACK_HOURS, RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, HOUR, cumsum_within, ranks_within, uniform_times
from graphgen.vocab import CHANNEL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

AMOUNT_NOISE = 0.003  # relative noise on each hop, so hops never repeat an amount to the cent


class KitingConfig(TypologyConfig):
    share: Share = 0.002
    cycle_length: IntRange = IntRange(low=3, high=10)  # accounts in the cycle
    rounds: IntRange = IntRange(low=1, high=6)  # times the money goes around
    hop_hours: FloatRange = FloatRange(low=0.5, high=16)  # between consecutive hops of a round, at no mimicry
    round_gap_days: FloatRange = FloatRange(low=1, high=10)  # between rounds
    escalation: FloatRange = FloatRange(low=1.02, high=1.4)  # growth of the amount from round to round
    fee: FloatRange = FloatRange(low=0.001, high=0.02)  # kept back at each hop
    amount_median: float = Field(2500.0, gt=0)
    amount_spread: float = Field(1.0, ge=0, le=3)  # log-normal sigma of a ring's first amount: small to large

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        # First amounts are log-normal: cover all but the lowest 0.1% at any mimicry, less every hop's fee.
        smallest = min(self.amount_median, LARGE_EVERYDAY_PAYMENT) * np.exp(-3 * self.amount_spread)
        return {"max_length": self.cycle_length.high, "min_rounds": self.rounds.low,
                "max_hop_hours": self.hop_hours.high * hop_stretch(1.0) + RHYTHM_SLACK_HOURS,
                "min_avg_amount": float(round(smallest * (1 - self.fee.high) ** self.cycle_length.high, 2))}


def hop_stretch(mimicry: float) -> float:
    """How much longer hops wait with ``rings.mimicry``: patient kiters look less like pass-through."""
    return 1 + 2 * mimicry


@register("kiting", KitingConfig, roles={"user": ("initiator", "mule"), "account": ("cycle_account",)},
          query=RingQuery("04_kiting_cycles.cypher", "account_ids", "account"))
def plant(builder: RingBuilder, config: KitingConfig, rng: np.random.Generator) -> None:
    """Kiting: escalating, time-ordered rounds of money around a cycle of accounts."""
    # Ring size in users: each cycle of k accounts has between ceil(k/2) and k owners; camouflaged rings
    # have one owner per account, so that every account can be an owner's own.
    def owners_for(n: int) -> np.ndarray:
        k = config.cycle_length.draw(rng, n)
        owners = np.where(rng.random(n) < builder.config.rings.camouflage, k, rng.integers((k + 1) // 2, k + 1))
        return np.stack([k, owners], axis=1)

    drawn = owners_for(int(builder.member_target) + 1)
    n_owners = builder.ring_sizes(lambda n: drawn[:n, 1])
    n_rings = len(n_owners)
    if not n_rings:
        return
    k = drawn[:n_rings, 0]
    rounds = config.rounds.draw(rng, n_rings)

    # Timeline: hop gaps within rounds, gaps between rounds; squeezed to fit the horizon if needed.
    hops = k * rounds
    hop_ring = np.repeat(np.arange(n_rings), hops)
    hop_in_ring = ranks_within(hops)
    hop_round = hop_in_ring // k[hop_ring]
    hop_index = hop_in_ring % k[hop_ring]
    step = (config.hop_hours.draw(rng, len(hop_ring)) * hop_stretch(builder.config.rings.mimicry) * HOUR).astype(np.int64)
    new_round = (hop_index == 0) & (hop_round > 0)
    step[new_round] += (config.round_gap_days.draw(rng, int(new_round.sum())) * DAY).astype(np.int64)
    step[hop_in_ring == 0] = 0
    offset = cumsum_within(step, hops)
    duration = offset[np.cumsum(hops) - 1]
    room = builder.end - builder.start - 2 * DAY
    squeeze = np.minimum(1.0, room / np.maximum(duration, 1))
    offset = (offset * squeeze[hop_ring]).astype(np.int64)
    duration = (duration * squeeze).astype(np.int64)
    t0 = uniform_times(np.full(n_rings, builder.start), builder.end - DAY - duration, rng)
    ts = t0[hop_ring] + offset
    rings = builder.new_rings(t0, t0 + duration)

    owner_ring = np.repeat(np.arange(n_rings), n_owners)
    users = builder.recruit(t0[owner_ring])
    builder.members(rings[owner_ring], "user", users, np.where(ranks_within(n_owners) == 0, "initiator", "mule"))

    # Cycle accounts: account j belongs to owner j mod n_owners. Established owners put their own main
    # account in the cycle; every other account is opened for the scheme.
    account_ring = np.repeat(np.arange(n_rings), k)
    j = ranks_within(k)
    owner_base = np.cumsum(n_owners) - n_owners
    owner = users[owner_base[account_ring] + j % n_owners[account_ring]]
    own = (j < n_owners[account_ring]) & builder.established(owner)
    accounts = builder.primary_account[owner]
    accounts[~own] = builder.account_opened_before(owner[~own], t0[account_ring][~own])
    builder.members(rings[account_ring], "account", accounts, "cycle_account")
    account_base = np.cumsum(k) - k

    # Amounts carry around the loop less a fee per hop and escalate from round to round.
    typical = builder.typical_amount(config.amount_median, LARGE_EVERYDAY_PAYMENT)
    start_amount = builder.rounded(typical * np.exp(config.amount_spread * rng.standard_normal(n_rings)), 100.0)
    growth = config.escalation.draw(rng, n_rings)
    fee = config.fee.draw(rng, n_rings)
    amount = (start_amount[hop_ring] * growth[hop_ring] ** hop_round * (1 - fee[hop_ring]) ** hop_index
              * (1 + AMOUNT_NOISE * rng.standard_normal(len(hop_ring))))
    src = accounts[account_base[hop_ring] + hop_index]
    dst = accounts[account_base[hop_ring] + (hop_index + 1) % k[hop_ring]]
    builder.schedule(src, dst, ts, np.round(amount, 2), CHANNEL["transfer"], rings[hop_ring])

    last_hop = np.cumsum(hops) - 1
    builder.cash_out(accounts[account_base], rings, ts[last_hop] + HOUR, np.minimum(ts[last_hop] + DAY, builder.end),
                     amount[last_hop])
