"""Device sharing: one operation runs many identities from a few devices within days.

Victims pay the identities (scams, stolen funds); each identity forwards most of it, from a ring device
and the ring's IP, to a collector account held by the operator, who cashes out at an exchange.
A ``clean_share`` of identities never touch the ring devices and are linked to the ring only by money.
Every structural signal is drawn from a range that legitimate look-alikes also cover (see
``decoys`` in the config): how many users a device gets, how tight their burst is, and whether the device
lives on before and after it (the operator's own phone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, model_validator

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import RHYTHM_SLACK_HOURS, RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, ranks_within, uniform_times
from graphgen.vocab import DESKTOP, HOSTING, MOBILE, RESIDENTIAL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

RING_DEVICE_MOBILE_SHARE = 0.7  # ring devices are phones, the rest computers
RING_IP_HOSTING_SHARE = 0.5  # the ring's IPs: hosting ranges or residential proxies
CASH_OUT_AT = 0.85  # the operator cashes out in the last 15% of the window
SESSION_START_WITHIN = 0.5  # identities log in during the first half of the window
SESSION_LENGTH = (0.3, 0.5)  # and stay 30-50% of it
OWN_PHONE_SINCE_DAYS = (30, 400)  # the operator's own phone was in use this long before the burst


class DeviceSharingConfig(TypologyConfig):
    share: Share = 0.004
    size: Count = Count(min=4, median=9, max=40, sigma=0.5)  # members per ring: an operator and identities
    users_per_device: IntRange = IntRange(low=3, high=10)  # identities run from each ring device
    window_days: FloatRange = FloatRange(low=1, high=10)  # each ring's burst: its device users show up within it
    own_device_share: Share = 0.3  # rings whose first device is the operator's own phone, used before and after
    ips_per_ring: IntRange = IntRange(low=1, high=2)
    payments_per_identity: IntRange = IntRange(low=2, high=5)  # victim payments each identity receives
    payment_median: float = Field(450.0, gt=0)  # typical victim payment
    collectors: IntRange = IntRange(low=1, high=2)  # accounts of the operator that members forward to

    def min_horizon_days(self) -> float:
        return self.window_days.high

    @model_validator(mode="after")
    def _devices_fill(self) -> DeviceSharingConfig:
        if self.size.min < self.users_per_device.low + 1:
            raise ValueError("size.min must exceed users_per_device.low: an operator and a full device of identities")
        return self

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        return {"min_users": self.users_per_device.low, "window_days": self.window_days.high + RHYTHM_SLACK_HOURS / 24}


@register("device_sharing", DeviceSharingConfig,
          roles={"user": ("operator", "identity"), "account": ("collector_account", "identity_account"),
                 "device": ("ring_device",), "ip": ("ring_ip",)},
          query=RingQuery("02_device_sharing_rings.cypher", "user_ids", "user", truth_via="uses_device"))
def plant(builder: RingBuilder, config: DeviceSharingConfig, rng: np.random.Generator) -> None:
    """Device sharing: many identities run from a few shared devices within days."""
    sizes = builder.ring_sizes(lambda n: config.size.draw(rng, n))
    if not len(sizes):
        return
    n_rings = len(sizes)
    window = (config.window_days.draw(rng, n_rings) * DAY).astype(np.int64)
    t0 = uniform_times(np.full(n_rings, builder.start), builder.end - window, rng)
    rings = builder.new_rings(t0, t0 + window)

    member_ring = np.repeat(np.arange(n_rings), sizes)
    rank = ranks_within(sizes)
    users = builder.recruit(t0[member_ring])
    operator = rank == 0
    builder.members(rings[member_ring], "user", users, np.where(operator, "operator", "identity"))

    # Identities on the ring devices fill them round-robin, users_per_device or more each (the operator,
    # rank 0, comes on top on the first device).
    per_device = config.users_per_device.draw(rng, n_rings)
    n_clean = np.minimum(rng.binomial(sizes, builder.config.rings.clean_share), sizes - 1 - config.users_per_device.low)
    n_on = sizes - n_clean
    n_devices = np.maximum((n_on - 1) // per_device, 1)
    devices = builder.add_devices(np.where(rng.random(n_devices.sum()) < RING_DEVICE_MOBILE_SHARE, MOBILE, DESKTOP))
    device_base = np.cumsum(n_devices) - n_devices
    builder.members(np.repeat(rings, n_devices), "device", devices, "ring_device")
    n_ips = config.ips_per_ring.draw(rng, n_rings)
    ips = builder.add_ips(np.where(rng.random(n_ips.sum()) < RING_IP_HOSTING_SHARE, HOSTING, RESIDENTIAL))
    ip_base = np.cumsum(n_ips) - n_ips
    builder.members(np.repeat(rings, n_ips), "ip", ips, "ring_ip")

    # Sessions inside the window; the operator is on for all of it.
    ring_t0, ring_window = t0[member_ring], window[member_ring]
    a = np.where(operator, ring_t0, ring_t0 + (rng.uniform(0, SESSION_START_WITHIN, len(users)) * ring_window).astype(np.int64))
    b = np.where(operator, ring_t0 + ring_window, a + (rng.uniform(*SESSION_LENGTH, len(users)) * ring_window).astype(np.int64))
    on = rank < n_on[member_ring]
    device_edge = np.full(len(users), -1, dtype=np.int64)
    ip_edge = np.full(len(users), -1, dtype=np.int64)
    device_of = devices[device_base[member_ring] + np.maximum(rank - 1, 0) % n_devices[member_ring]]
    # The operator's own phone: in use long before the burst and until the snapshot, so the device's
    # lifetime says nothing; the window the transactions need is inside that life.
    own = operator & (rng.random(len(users)) < config.own_device_share)
    since = builder.created(users) + 1
    link_first = np.where(own, np.maximum(since, a - (rng.uniform(*OWN_PHONE_SINCE_DAYS, len(users)) * DAY).astype(np.int64)), a)
    link_last = np.where(own, builder.end, b)
    device_edge[on] = builder.link_devices(users[on], device_of[on], link_first[on], link_last[on])
    ip_edge[on] = builder.link_ips(users[on], ips[ip_base[member_ring[on]] + rank[on] % n_ips[member_ring[on]]], a[on], b[on])

    collectors = builder.open_collectors(users[operator], t0, config.collectors.draw(rng, n_rings))
    identity_account = builder.primary_account[users]
    builder.members(rings[collectors.ring], "account", collectors.account, "collector_account")
    builder.members(rings[member_ring[~operator]], "account", identity_account[~operator], "identity_account")

    # Victim -> identity -> collector (from the ring device, hours later) -> exchange near the window's end.
    identities = np.flatnonzero(~operator)
    who = np.repeat(identities, config.payments_per_identity.draw(rng, len(identities)))
    ops = np.flatnonzero(operator)
    builder.funnel(rings, member_ring[who], identity_account[who], a[who], b[who], config.payment_median, collectors,
                   t0 + (CASH_OUT_AT * window).astype(np.int64), t0 + window, device_edge[who], ip_edge[who],
                   device_edge[ops], ip_edge[ops])
