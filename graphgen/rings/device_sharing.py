"""Device sharing: one operation runs many identities from a few devices within days.

Victims pay the identities (scams, stolen funds); each identity forwards most of it, from a ring device
and the ring's IP, to a collector account held by the operator, who cashes out at an exchange.
A ``clean_share`` of identities never touch the ring devices and are linked to the ring only by money.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from typing import TYPE_CHECKING

from graphgen.params import Count, IntRange, Share
from graphgen.rings.base import RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, ranks_within, uniform_times
from graphgen.vocab import DESKTOP, HOSTING, MOBILE, RESIDENTIAL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

RING_DEVICE_MOBILE_SHARE = 0.7  # ring devices are phones, the rest computers
RING_IP_HOSTING_SHARE = 0.5  # the ring's IPs: hosting ranges or residential proxies
CASH_OUT_AT = 0.85  # the operator cashes out in the last 15% of the window
SESSION_START_WITHIN = 0.5  # identities log in during the first half of the window
SESSION_LENGTH = (0.3, 0.5)  # and stay 30-50% of it


class DeviceSharingConfig(TypologyConfig):
    share: Share = 0.004
    size: Count = Count(min=6, median=10, max=40, sigma=0.4)  # members per ring
    users_per_device: IntRange = IntRange(low=6, high=12)  # identities run from each ring device
    window_days: float = Field(7.0, gt=0, le=30)  # every ring device's users show up within this window
    ips_per_ring: IntRange = IntRange(low=1, high=2)
    payments_per_identity: IntRange = IntRange(low=2, high=5)  # victim payments each identity receives
    payment_median: float = Field(450.0, gt=0)  # typical victim payment

    def min_horizon_days(self) -> float:
        return self.window_days

    @model_validator(mode="after")
    def _devices_fill(self) -> DeviceSharingConfig:
        if self.size.min < self.users_per_device.low:
            raise ValueError("size.min must be at least users_per_device.low, so every ring fills a device")
        return self


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
    window = int(config.window_days * DAY)
    t0 = uniform_times(np.full(n_rings, builder.start), np.full(n_rings, builder.end - window), rng)
    rings = builder.new_rings(t0, t0 + window)

    member_ring = np.repeat(np.arange(n_rings), sizes)
    rank = ranks_within(sizes)
    users = builder.recruit(t0[member_ring])
    operator = rank == 0
    builder.members(rings[member_ring], "user", users, np.where(operator, "operator", "identity"))

    # Identities on the ring devices fill them round-robin, users_per_device or more each.
    per_device = config.users_per_device.draw(rng, n_rings)
    n_clean = np.minimum(rng.binomial(sizes, builder.config.rings.clean_share), sizes - config.users_per_device.low)
    n_on = sizes - n_clean
    n_devices = np.maximum(n_on // per_device, 1)
    devices = builder.add_devices(np.where(rng.random(n_devices.sum()) < RING_DEVICE_MOBILE_SHARE, MOBILE, DESKTOP))
    device_base = np.cumsum(n_devices) - n_devices
    builder.members(np.repeat(rings, n_devices), "device", devices, "ring_device")
    n_ips = config.ips_per_ring.draw(rng, n_rings)
    ips = builder.add_ips(np.where(rng.random(n_ips.sum()) < RING_IP_HOSTING_SHARE, HOSTING, RESIDENTIAL))
    ip_base = np.cumsum(n_ips) - n_ips
    builder.members(np.repeat(rings, n_ips), "ip", ips, "ring_ip")

    # Sessions inside the window; the operator is on for all of it.
    ring_t0 = t0[member_ring]
    a = np.where(operator, ring_t0, ring_t0 + (rng.uniform(0, SESSION_START_WITHIN, len(users)) * window).astype(np.int64))
    b = np.where(operator, ring_t0 + window, a + (rng.uniform(*SESSION_LENGTH, len(users)) * window).astype(np.int64))
    on = rank < n_on[member_ring]
    device_edge = np.full(len(users), -1, dtype=np.int64)
    ip_edge = np.full(len(users), -1, dtype=np.int64)
    device_edge[on] = builder.link_devices(users[on], devices[device_base[member_ring[on]] + rank[on] % n_devices[member_ring[on]]], a[on], b[on])
    ip_edge[on] = builder.link_ips(users[on], ips[ip_base[member_ring[on]] + rank[on] % n_ips[member_ring[on]]], a[on], b[on])

    collector = builder.account_opened_before(users[operator], t0)
    identity_account = builder.primary_account[users]
    builder.members(rings, "account", collector, "collector_account")
    builder.members(rings[member_ring[~operator]], "account", identity_account[~operator], "identity_account")

    # Victim -> identity -> collector (from the ring device, hours later) -> exchange near the window's end.
    identities = np.flatnonzero(~operator)
    who = np.repeat(identities, config.payments_per_identity.draw(rng, len(identities)))
    ops = np.flatnonzero(operator)
    builder.funnel(rings, member_ring[who], identity_account[who], a[who], b[who], config.payment_median, collector,
                   t0 + int(CASH_OUT_AT * window), t0 + window, device_edge[who], ip_edge[who], device_edge[ops], ip_edge[ops])
