"""``RingBuilder``: the operations a typology needs to plant its rings into a growing graph, and
:func:`plant_rings`, the stage that runs every registered typology through it.

Members are recruited from established customers (who keep their normal life: camouflage) or created
as synthetic identities that sign up days to months before the ring acts. Everything a ring adds goes through
the same functions the population uses, so fraud rows are drawn from the same distributions and
cannot be told apart by their attributes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from graphgen import vocab
from graphgen.config import GraphgenConfig
from graphgen.graph import EntityGraph, append_rows, col
from graphgen.population.accounts import account_rows, first_account_opened
from graphgen.population.links import device_attributes, ip_attributes, link_rows
from graphgen.population.payments import (MONTHLY, PLANNED, add_transfer_edges, friend_payment_rows, monthly_phase, payment_rows,
                                         person_to_person_channels, purchase_rows, round_amounts, run_cards_up, transfer_rows)
from graphgen.population.people import EMPLOYER, EXCHANGE, MERCHANT, PERSON, UTILITY
from graphgen.rings.base import EVERYDAY_PAYMENT, NODE_TYPES, REGISTRY, role_names
from graphgen.sampling import DAY, HOUR, choose, stage_rng, uniform_times
from graphgen.schema import SCHEDULED_EVENTS

SCHEDULED_EVENT_DTYPES = {name: dtype.to_pandas_dtype() for name, dtype in SCHEDULED_EVENTS.columns}
ESTABLISHED_DAYS = 30  # a customer this long before the horizon can be recruited as an established member
SYNTHETIC_MOBILE_SHARE = 0.8  # synthetic identities sign up from a phone, the rest from a computer
SYNTHETIC_AGE_DAYS = (60, 180)  # median sign-up before use: 60 days at no mimicry, 180 at full mimicry
SYNTHETIC_AGE_SPREAD = 1.0  # log-normal sigma: from days to over a year, overlapping ordinary customers' ages
MAX_SYNTHETIC_AGE_DAYS = 3 * 365
VICTIMS_PAY_WITHIN = 0.7  # victims pay in the first 70% of a member's session, so the forward fits after
FORWARD_SHARE = (0.85, 0.97)  # members keep a 3-15% cut of what victims paid them
HOLD_SHARE = (0.3, 0.8)  # share of forwards that wait a few days, at no and at full rings.mimicry
HOLD_DAYS = (1, 4)
FRESH_ACCOUNT_DAYS = (1, 20)  # accounts opened for a scheme, this long before it starts
CASH_OUT_SHARE = (0.6, 0.95)  # of what the collector received; the rest pays the ring's costs
MAX_CASH_OUT_PIECES = 5
FRAUD_AMOUNT_SPREAD = 0.8  # log-normal sigma of victim payments around their median


@dataclass(frozen=True)
class Collectors:
    """The accounts a funnel's members forward to: ``count[r]`` of them for ring ``r``, back to back."""

    account: np.ndarray
    count: np.ndarray

    @property
    def ring(self) -> np.ndarray:
        """The ring (index into the funnel's rings) of each collector account."""
        return np.repeat(np.arange(len(self.count)), self.count)

    def pick(self, ring: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One of its ring's collectors for each entry of ``ring`` (positions in ``account``)."""
        base = np.cumsum(self.count) - self.count
        return base[ring] + rng.integers(0, self.count[ring])


def plant_rings(graph: EntityGraph, config: GraphgenConfig, seed: int) -> EntityGraph:
    """Plant every registered typology into ``graph`` (in place) and return it.

    Each typology draws from its own random stream and recruits from its own pool of customers, so turning
    one off (``share: 0``) leaves the others' rings unchanged.
    """
    builder = RingBuilder(graph, config, stage_rng(seed, "rings"))
    for name, typology in REGISTRY.items():
        builder.begin(name, stage_rng(seed, f"rings.{name}"))
        typology.plant(builder, getattr(config.rings, name), builder.rng)
    return builder.finish()


class RingBuilder:
    def __init__(self, graph: EntityGraph, config: GraphgenConfig, rng: np.random.Generator):
        self.graph, self.config, self.rng = graph, config, rng
        self.start, self.end = config.horizon_ms()
        self.typology_names = REGISTRY.names()
        self.roles = role_names()
        users = graph.nodes["user"]
        self.n_population = users.num_rows
        kind, created = col(users, "_kind"), col(users, "created_at")
        established = np.flatnonzero((kind == PERSON) & (created < self.start - ESTABLISHED_DAYS * DAY))
        self._quiet = [{k: col(graph.labels["_quiet"], k) for k in ("user", "from", "to")}]  # customers who left
        established = established[~np.isin(established, self._quiet[0]["user"])]  # are neither recruited nor victims
        # Each established customer can be recruited by one typology only, fixed by the registry, not by
        # which typologies are switched on.
        pool_of = rng.integers(0, len(self.typology_names), len(established))
        self._pools = {name: established[pool_of == i] for i, name in enumerate(self.typology_names)}
        self._recruitable = np.zeros(0, np.int64)
        self._recruited = 0
        accounts = graph.nodes["account"]
        primary = col(accounts, "_primary")
        owner = col(accounts, "_owner")
        self.primary_account = np.full(users.num_rows, -1, dtype=np.int64)
        self.primary_account[owner[primary]] = np.flatnonzero(primary)
        self._victims = self.primary_account[established]
        self._exchanges = self.primary_account[np.flatnonzero(kind == EXCHANGE)]
        self._merchants = self.primary_account[np.flatnonzero(kind == MERCHANT)]
        self._employers = self.primary_account[np.flatnonzero(kind == EMPLOYER)]
        self._utilities = self.primary_account[np.flatnonzero(kind == UTILITY)]
        # Carrier-NAT IPs, once per subscriber link: drawing an entry follows each pool's popularity.
        ip_links = col(graph.edges["uses_ip"], "ip_id")
        carrier = ip_links[col(graph.nodes["ip"], "connection_type")[ip_links] == vocab.MOBILE_NET]
        carrier_country = col(graph.nodes["ip"], "country")[carrier]
        order = np.argsort(carrier_country, kind="stable")
        self._carrier_ips = carrier[order]
        self._carrier_offsets = np.searchsorted(carrier_country[order], np.arange(len(vocab.COUNTRIES) + 1))
        self._rings: list[dict[str, np.ndarray]] = []
        self._members: list[dict[str, np.ndarray]] = []
        self._payments: list[dict[str, np.ndarray]] = []
        self._edges: list[dict[str, np.ndarray]] = []  # TRANSFERS_TO edges with sampled (non-scheduled) patterns
        self._events: list[dict[str, np.ndarray]] = []

    def begin(self, typology: str, rng: np.random.Generator) -> None:
        """Switch to planting ``typology``: its random stream and its recruit pool (in a random order)."""
        self.typology, self.rng = typology, rng
        self.member_target = self.config.rings.share(typology) * self.n_population  # ring members to plant
        self._recruitable = rng.permutation(self._pools[typology])
        self._recruited = 0

    # -- sizes and ids ------------------------------------------------------------------------------
    def ring_sizes(self, draw: Callable[[int], np.ndarray]) -> np.ndarray:
        """Member counts of as many rings as it takes to reach the typology's share of the population."""
        if self.member_target <= 0:
            return np.zeros(0, dtype=np.int64)
        sizes = draw(int(self.member_target) + 1)  # every ring has at least one member, so this is enough
        before = np.cumsum(sizes) - sizes
        return sizes[: int(np.searchsorted(before, self.member_target, side="left"))]

    def new_rings(self, active_from: np.ndarray, active_to: np.ndarray) -> np.ndarray:
        """Register rings of the current typology with their active windows; returns their ring indices."""
        first = sum(len(r["typology"]) for r in self._rings)
        n = len(active_from)
        self._rings.append({
            "typology": np.full(n, self.typology_names.index(self.typology), dtype=np.int8),
            "active_from": np.asarray(active_from, np.int64), "active_to": np.asarray(active_to, np.int64),
        })
        return np.arange(first, first + n)

    # -- entities -----------------------------------------------------------------------------------
    def recruit(self, needed_by: np.ndarray) -> np.ndarray:
        """One member per entry of ``needed_by`` (when the member must exist), as user indices.

        A ``camouflage`` share are established customers with a normal life; the rest are synthetic
        identities that sign up days to months before they are needed (longer with more mimicry), with
        one device, IP and account, and ordinary activity from then on.
        """
        n = len(needed_by)
        established = self.rng.random(n) < self.config.rings.camouflage
        take = min(int(established.sum()), len(self._recruitable) - self._recruited)
        established[np.flatnonzero(established)[take:]] = False
        users = np.empty(n, dtype=np.int64)
        users[established] = self._recruitable[self._recruited:self._recruited + take]
        self._recruited += take
        synthetic = np.flatnonzero(~established)
        users[synthetic] = self._synthetic_identities(needed_by[synthetic])
        return users

    def customers(self, n: int) -> np.ndarray:
        """Up to ``n`` established customers from the typology's pool (victims, not members acting for the ring)."""
        users = self._recruitable[self._recruited:self._recruited + n]
        self._recruited += len(users)
        return users

    def established(self, users: np.ndarray) -> np.ndarray:
        """Whether each user is a customer of the legitimate population (not a synthetic identity)."""
        return np.asarray(users) < self.n_population

    def created(self, users: np.ndarray) -> np.ndarray:
        """When each user signed up."""
        return col(self.graph.nodes["user"], "created_at")[users]

    def _synthetic_identities(self, needed_by: np.ndarray) -> np.ndarray:
        n, rng = len(needed_by), self.rng
        # Identities are aged before use, more with more mimicry, so sign-up dates alone tell little.
        mimicry = self.config.rings.mimicry
        median = SYNTHETIC_AGE_DAYS[0] ** (1 - mimicry) * SYNTHETIC_AGE_DAYS[1] ** mimicry
        age = np.clip(median * np.exp(SYNTHETIC_AGE_SPREAD * rng.standard_normal(n)), 1, MAX_SYNTHETIC_AGE_DAYS)
        return self.sign_up(needed_by - (age * DAY).astype(np.int64))

    def sign_up(self, created: np.ndarray, country: np.ndarray | None = None, household: np.ndarray | None = None,
                phone_group: np.ndarray | None = None) -> np.ndarray:
        """Synthetic identities signing up at ``created``, with one device, IP and account each and ordinary
        activity from then on; returns their user indices.

        Identities of one ``household`` (from :meth:`identity_groups`; -1: none) give one postal address, those
        of one ``phone_group`` one phone number.
        """
        n, rng = len(created), self.rng
        none = np.full(n, -1, dtype=np.int64)
        country = choose(vocab.COUNTRY_WEIGHTS, n, rng).astype(np.int8) if country is None else np.asarray(country)
        first_user = self.graph.nodes["user"].num_rows
        self.graph.nodes["user"] = append_rows(
            self.graph.nodes["user"], country=np.asarray(country, np.int8),
            segment=choose(vocab.SEGMENT_WEIGHTS_PERSON, n, rng).astype(np.int8),
            created_at=created, _family=none, _household=none if household is None else household,
            _phone_group=none if phone_group is None else phone_group, _kind=np.full(n, PERSON, dtype=np.int8),
        )
        users = np.arange(first_user, first_user + n)
        device = self.add_devices(np.where(rng.random(n) < SYNTHETIC_MOBILE_SHARE, vocab.MOBILE, vocab.DESKTOP))
        self.link_devices(users, device, created, np.full(n, self.end), primary=True)
        ip = self.add_ips(np.full(n, vocab.RESIDENTIAL), country)
        self.link_ips(users, ip, created, np.full(n, self.end), primary=True)
        # As many are on mobile data as in the population, behind their country's carrier NAT.
        on_mobile = np.flatnonzero(rng.random(n) < self.config.decoys.mobile_share)
        low, high = self._carrier_offsets[country[on_mobile]], self._carrier_offsets[country[on_mobile] + 1]
        on_mobile, low, high = on_mobile[high > low], low[high > low], high[high > low]
        self.link_ips(users[on_mobile], self._carrier_ips[low + (rng.random(len(low)) * (high - low)).astype(np.int64)],
                      created[on_mobile], np.full(len(on_mobile), self.end))
        account = self.add_accounts(users, first_account_opened(created, self.end, rng), primary=True)
        self.primary_account = np.concatenate([self.primary_account, account])
        self._warm_up(account)
        return users

    @cached_property
    def _utility_payer_share(self) -> float:
        """The share of the population's people who pay a bill by direct debit (read only when identities are made,
        before their own edges join the graph)."""
        transfers = self.graph.edges["transfers_to"]
        debited = col(transfers, "src_account_id")[col(transfers, "_channel") == vocab.CHANNEL["direct_debit"]]
        population = slice(0, self.n_population)
        persons = self.primary_account[population][col(self.graph.nodes["user"], "_kind")[population] == PERSON]
        return float(np.isin(persons, debited).mean()) if len(persons) else 0.0

    def _warm_up(self, account: np.ndarray) -> None:
        """Synthetic identities also shop, pay bills and pay friends, drawn like the population's new customers."""
        pop, rng = self.config.population, self.rng
        if len(self._merchants):
            buyer = np.repeat(account, pop.merchants_per_user.draw(rng, len(account)))
            self._edges.append(purchase_rows(buyer, self._merchants[rng.integers(0, len(self._merchants), len(buyer))], pop, rng))
        if len(self._victims):
            payer = np.repeat(account, pop.friends_per_user.draw(rng, len(account)))
            self._edges.append(friend_payment_rows(payer, self._victims[rng.integers(0, len(self._victims), len(payer))], pop, rng))
            # Friends pay them too, as each person of the population is paid by about as many as they pay.
            payee = np.repeat(account, pop.friends_per_user.draw(rng, len(account)))
            self._edges.append(friend_payment_rows(self._victims[rng.integers(0, len(self._victims), len(payee))], payee, pop, rng))
        if len(self._utilities):  # as many pay utility bills by direct debit
            payer = account[rng.random(len(account)) < self._utility_payer_share]
            payer = np.repeat(payer, pop.utilities_per_household.draw(rng, len(payer)))
            self._edges.append(transfer_rows(payer, self._pick(self._utilities, len(payer)), MONTHLY, vocab.CHANNEL["direct_debit"],
                                             pop.amounts.utility.edge_mu(rng, len(payer)), pop.amounts.utility.jitter,
                                             phase=monthly_phase(len(payer), rng)))
        if len(self._employers):  # and as many draw a salary
            paid = account[rng.random(len(account)) < pop.employed_share]
            self._edges.append(transfer_rows(self._pick(self._employers, len(paid)), paid, MONTHLY, vocab.CHANNEL["transfer"],
                                             pop.amounts.salary.edge_mu(rng, len(paid)), pop.amounts.salary.jitter,
                                             phase=monthly_phase(len(paid), rng)))

    def identity_groups(self, column: str, n: int) -> np.ndarray:
        """``n`` new group ids of a user column (``_household``, ``_phone_group``) that no user has yet."""
        first = int(col(self.graph.nodes["user"], column).max(initial=-1)) + 1
        return np.arange(first, first + n)

    def person_to_person(self, n: int) -> np.ndarray:
        """Channels for payments between people, in the population's mix (instant or payment app)."""
        return person_to_person_channels(n, self.config.population.instant_share, self.rng)

    def add_devices(self, device_type: np.ndarray) -> np.ndarray:
        return self._append_nodes("device", device_attributes(np.asarray(device_type), self.rng))

    def add_ips(self, connection: np.ndarray, country: np.ndarray | None = None, vpn: np.ndarray | None = None) -> np.ndarray:
        n = len(connection)
        country = choose(vocab.COUNTRY_WEIGHTS, n, self.rng) if country is None else country
        vpn = np.zeros(n, bool) if vpn is None else vpn
        return self._append_nodes("ip", ip_attributes(np.asarray(connection), country, vpn))

    def add_accounts(self, owner: np.ndarray, opened: np.ndarray, primary: bool = False,
                     account_type: int = vocab.CHECKING) -> np.ndarray:
        n = len(owner)
        rows = account_rows(owner, np.full(n, account_type), opened, np.full(n, primary), self.rng)
        return self._append_nodes("account", rows)

    def account_values(self, column: str, account: np.ndarray) -> np.ndarray:
        """A column of the accounts table (``balance``, ``credit_limit``) for the given accounts."""
        return col(self.graph.nodes["account"], column)[account]

    def account_opened_before(self, owner: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Open a fresh account for each owner days before ``before`` (never before sign-up)."""
        created = self.created(owner)
        opened = np.maximum(created + HOUR, before - (self.rng.uniform(*FRESH_ACCOUNT_DAYS, len(owner)) * DAY).astype(np.int64))
        return self.add_accounts(owner, opened)

    def open_collectors(self, owner: np.ndarray, before: np.ndarray, count: np.ndarray) -> Collectors:
        """``count[r]`` fresh collector accounts for ring ``r``, opened by ``owner[r]`` days before ``before[r]``."""
        return Collectors(self.account_opened_before(np.repeat(owner, count), np.repeat(before, count)), count)

    def _append_nodes(self, node_type: str, rows: dict[str, np.ndarray]) -> np.ndarray:
        first = self.graph.nodes[node_type].num_rows
        self.graph.nodes[node_type] = append_rows(self.graph.nodes[node_type], **rows)
        return np.arange(first, first + len(next(iter(rows.values()))))

    def link_devices(self, user, device, first, last, primary: bool = False) -> np.ndarray:
        return self._append_links("uses_device", "device_id", user, device, first, last, primary)

    def link_ips(self, user, ip, first, last, primary: bool = False) -> np.ndarray:
        return self._append_links("uses_ip", "ip_id", user, ip, first, last, primary)

    def _append_links(self, edge_type, target_column, user, target, first, last, primary) -> np.ndarray:
        rows = link_rows(user, target, first, last, np.full(len(user), primary))
        rows["user_id"], rows[target_column] = rows.pop("user"), rows.pop("target")
        first_edge = self.graph.edges[edge_type].num_rows
        self.graph.edges[edge_type] = append_rows(self.graph.edges[edge_type], **rows)
        return np.arange(first_edge, first_edge + len(user))

    # -- money --------------------------------------------------------------------------------------
    def _pick(self, accounts: np.ndarray, n: int) -> np.ndarray:
        """``n`` accounts drawn at random from ``accounts``; -1 if there are none (a tiny population)."""
        if not len(accounts):
            return np.full(n, -1, dtype=np.int64)
        return accounts[self.rng.integers(0, len(accounts), n)]

    def victims(self, n: int) -> np.ndarray:
        """Primary accounts of random established customers (victims paying into a ring); -1 if none."""
        return self._pick(self._victims, n)

    def exchanges(self, n: int) -> np.ndarray:
        """Exchange accounts where rings cash out (the same places some customers buy crypto); -1 if none."""
        return self._pick(self._exchanges, n)

    def merchants(self, n: int) -> np.ndarray:
        """Accounts of random merchants (where rings spend on cards); -1 if none."""
        return self._pick(self._merchants, n)

    def hold(self, t_in: np.ndarray, t_out: np.ndarray, device_edge: np.ndarray | None, ip_edge: np.ndarray | None):
        """Let some forwards wait a few days (more with ``rings.mimicry``), as mules dodging velocity rules do.

        A forward that waits has left the ring's session, so it goes out from the member's own device and IP.
        Returns the new ``(t_out, device_edge, ip_edge)``.
        """
        n = len(t_in)
        late = self.rng.random(n) < HOLD_SHARE[0] + (HOLD_SHARE[1] - HOLD_SHARE[0]) * self.config.rings.mimicry
        t_out = np.where(late, np.minimum(t_in + (self.rng.uniform(*HOLD_DAYS, n) * DAY).astype(np.int64), self.end), t_out)
        clear = (lambda edges: None if edges is None else np.where(late, -1, edges))
        return t_out, clear(device_edge), clear(ip_edge)

    def typical_amount(self, fraud_median: float, everyday_median: float) -> float:
        """Median of a ring payment: ``fraud_median`` moved toward ``everyday_median`` by ``rings.mimicry``."""
        mimicry = self.config.rings.mimicry
        return fraud_median ** (1 - mimicry) * everyday_median ** mimicry

    def rounded(self, amount: np.ndarray, step: float) -> np.ndarray:
        """Cents, with the population's share of amounts rounded to a whole ``step`` (fraud rounds as often)."""
        return round_amounts(amount, self.config.population.round_amount_share, step, self.rng)

    def funnel(self, rings: np.ndarray, ring: np.ndarray, account: np.ndarray, session_start: np.ndarray,
               session_end: np.ndarray, payment_median: float, collectors: Collectors, cash_out_from: np.ndarray,
               cash_out_to: np.ndarray, forward_device=None, forward_ip=None, cash_out_device=None, cash_out_ip=None) -> None:
        """The money flow of mule-style rings: victims -> members -> the ring's collector -> exchanges.

        Each entry of ``account`` receives one victim payment during its member's session
        (``session_start``..``session_end``) and forwards most of it to one of its ring's ``collectors`` before
        the session ends, through ``forward_device`` / ``forward_ip`` (USES_* edges; -1 or None: any the member
        holds); some forwards wait a few days instead (:meth:`hold`). Each collector then cashes its total out
        between its ring's ``cash_out_from`` and ``cash_out_to``. ``ring`` indexes ``rings`` (this typology's
        rings); ``cash_out_device`` / ``cash_out_ip`` are per ring.
        """
        n, rng = len(account), self.rng
        t_in = session_start + (rng.uniform(0, VICTIMS_PAY_WITHIN, n) * (session_end - session_start)).astype(np.int64)
        t_out = t_in + (rng.uniform(0.05, 1.0, n) * (session_end - t_in)).astype(np.int64)  # hours to days later
        typical = self.typical_amount(payment_median, EVERYDAY_PAYMENT)
        amount = self.rounded(typical * np.exp(FRAUD_AMOUNT_SPREAD * rng.standard_normal(n)), 10.0)
        ring_of = rings[ring]
        self.schedule(self.victims(n), account, t_in, amount, self.person_to_person(n), ring_of)
        forwarded = self.rounded(amount * rng.uniform(*FORWARD_SHARE, n), 10.0)
        t_out, forward_device, forward_ip = self.hold(t_in, t_out, forward_device, forward_ip)
        to = collectors.pick(ring, rng)
        self.schedule(account, collectors.account[to], t_out, forwarded, self.person_to_person(n), ring_of, forward_device, forward_ip)
        total = np.bincount(to, weights=forwarded, minlength=len(collectors.account))
        of = collectors.ring
        self.cash_out(collectors.account, rings[of], cash_out_from[of], cash_out_to[of], total, _rows(cash_out_device, of),
                      _rows(cash_out_ip, of))

    def cash_out(self, account, ring, start, end, total, device_edge=None, ip_edge=None) -> None:
        """Each ring's ``account`` pays most of ``total`` to exchanges between ``start`` and ``end``.

        With more mimicry the cash-out is split into more, smaller pieces, like ordinary buys.
        """
        pieces = 1 + round((MAX_CASH_OUT_PIECES - 1) * self.config.rings.mimicry)
        of = np.repeat(np.arange(len(ring)), pieces)
        amount = total[of] * self.rng.uniform(*CASH_OUT_SHARE, len(of)) / pieces
        amount = self.rounded(np.maximum(amount, 1.0), 10.0)
        exchange = self.exchanges(len(ring))[of]  # each account's pieces go to its one exchange account
        self.schedule(account[of], exchange, uniform_times(start[of], end[of], self.rng), amount,
                      vocab.CHANNEL["instant"], ring[of], _rows(device_edge, of), _rows(ip_edge, of))

    def run_cards_up(self, card, checking, ring, spend, start, end, n_buys, bounce_share, again_spent) -> None:
        """Run each card up by ``spend`` at merchants within ``[start, end]``, as card defaults do
        (:func:`graphgen.population.payments.run_cards_up`); every card whose repayment from ``checking`` bounces
        is spent on again while it is in flight."""
        run = run_cards_up(spend, start, end, n_buys, bounce_share, 1.0, again_spent, self.rng)
        self.schedule(card[run.purchase_of], self.merchants(len(run.purchase_of)), run.purchase_at,
                      self.rounded(run.purchase_amount, 10.0), vocab.CHANNEL["card"], ring[run.purchase_of])
        self.schedule(checking[run.bounced], card[run.bounced], run.bounced_at, self.rounded(spend[run.bounced], 10.0),
                      vocab.CHANNEL["transfer"], ring[run.bounced], status=vocab.RETURNED)

    def schedule(self, src, dst, ts, amount, channel, ring, device_edge=None, ip_edge=None, status=vocab.COMPLETED) -> None:
        """Schedule payments along TRANSFERS_TO edges (created where missing); ``ring`` None: not ring payments.

        Payments touching a missing account (-1: no victims or exchanges in a tiny population) and payments
        to oneself (a victim drawn from the ring) are skipped. ``device_edge`` / ``ip_edge`` name the
        USES_DEVICE / USES_IP edge the payer acts through; -1 lets the transactions stage pick one the payer
        holds at that moment.
        """
        rows = payment_rows(src, dst, ts, amount, channel, device_edge, ip_edge, ring, status)
        src, dst = rows["src_account_id"], rows["dst_account_id"]
        ok = (src >= 0) & (dst >= 0) & (src != dst)
        self._payments.append({k: v[ok] for k, v in rows.items()})

    def event(self, user, ts, event_type, ring, payee=None, device_edge=None, ip_edge=None) -> None:
        """Schedule events (codes of :data:`graphgen.vocab.EVENT_TYPES`) through the given USES_* edges (-1 or
        None: any the user holds then); ``payee`` is the account a payee_added event adds."""
        n = len(user)
        self._events.append({
            "user_id": np.asarray(user, np.int64), "ts": np.asarray(ts, np.int64),
            "event_type": np.broadcast_to(np.asarray(event_type, np.int8), (n,)).copy(),
            **{k: np.full(n, -1, np.int64) if v is None else np.asarray(v, np.int64)
               for k, v in (("payee_account_id", payee), ("_device_edge", device_edge), ("_ip_edge", ip_edge))},
            "_ring": np.asarray(ring, np.int64)})

    def keep_quiet(self, user: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        """No activity of the users' own (payments, logins) in ``[start, end)``: sleepers."""
        self._quiet.append({"user": np.asarray(user, np.int64), "from": np.asarray(start, np.int64),
                            "to": np.asarray(end, np.int64)})

    # -- ground truth -------------------------------------------------------------------------------
    def members(self, ring: np.ndarray, node_type: str, node: np.ndarray, role: str | np.ndarray) -> None:
        """Record ring membership: ``node`` of ``node_type`` belongs to ``ring`` in ``role``."""
        n = len(node)
        names, inverse = np.unique(np.broadcast_to(np.asarray(role), (n,)), return_inverse=True)
        codes = np.array([self.roles.index(r) for r in names], dtype=np.int8)
        self._members.append({
            "ring": np.asarray(ring, np.int64), "node_type": np.full(n, NODE_TYPES.index(node_type), np.int8),
            "node": np.asarray(node, np.int64), "role": codes[inverse] if n else np.zeros(0, np.int8),
        })

    def finish(self) -> EntityGraph:
        """Add the scheduled payments and their edges; store rings and members as working label tables."""
        if self._payments:
            payments = {k: np.concatenate([p[k] for p in self._payments]) for k in self._payments[0]}
            self._edges.append(transfer_rows(payments["src_account_id"], payments["dst_account_id"], PLANNED, payments["channel"]))
            self.graph.transactions = append_rows(self.graph.transactions, **payments)
        if self._edges:
            edges = {k: np.concatenate([e[k] for e in self._edges]) for k in self._edges[0]}
            self.graph.edges["transfers_to"] = add_transfer_edges(self.graph.edges["transfers_to"], edges)
        if self._events:
            self.graph.events = append_rows(self.graph.events, **_stack(self._events, SCHEDULED_EVENT_DTYPES))
        self.graph.labels["_quiet"] = pa.table(_stack(self._quiet, {"user": np.int64, "from": np.int64, "to": np.int64}))
        self.graph.labels["_rings"] = pa.table(_stack(self._rings, {
            "typology": np.int8, "active_from": np.int64, "active_to": np.int64}))
        self.graph.labels["_members"] = pa.table(_stack(self._members, {
            "ring": np.int64, "node_type": np.int8, "node": np.int64, "role": np.int8}))
        return self.graph


def _rows(edges: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    """``edges[index]``, keeping None (no forced USES_* edge) as None."""
    return None if edges is None else np.asarray(edges)[index]


def _stack(parts: list[dict[str, np.ndarray]], dtypes: dict[str, type]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]).astype(t) if parts else np.zeros(0, t) for k, t in dtypes.items()}
