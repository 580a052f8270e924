"""``RingBuilder``: the operations a typology needs to plant its rings into a growing graph.

Members are recruited from established customers (who keep their normal life: camouflage) or created
as synthetic identities that sign up shortly before the ring acts. Everything a ring adds goes through
the same functions the population uses, so fraud rows are drawn from the same distributions and
cannot be told apart by their attributes alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from graphgen import vocab
from graphgen.graph import EntityGraph, append_rows, col
from graphgen.population.accounts import CHECKING, account_rows, first_account_opened
from graphgen.population.links import MOBILE, DESKTOP, RESIDENTIAL, device_attributes, ip_attributes, link_rows
from graphgen.population.payments import PLANNED, add_transfer_edges, payment_rows, transfer_rows
from graphgen.population.people import EXCHANGE, PERSON
from graphgen.sampling import DAY, HOUR, choose, horizon_ms, uniform_times

NODE_TYPES = ("user", "device", "account", "ip")


class RingBuilder:
    def __init__(self, graph: EntityGraph, config, typology_names: list[str], rng: np.random.Generator):
        self.graph, self.config, self.rng = graph, config, rng
        self.start, self.end = horizon_ms(config)
        self.typology_names = typology_names
        users = graph.nodes["user"]
        self.n_population = users.num_rows
        kind, created = col(users, "_kind"), col(users, "created_at")
        established = np.flatnonzero((kind == PERSON) & (created < self.start - 30 * DAY))
        self._recruitable = rng.permutation(established)
        self._recruited = 0
        accounts = graph.nodes["account"]
        primary = col(accounts, "_primary")
        owner = col(accounts, "_owner")
        self.primary_account = np.full(users.num_rows, -1, dtype=np.int64)
        self.primary_account[owner[primary]] = np.flatnonzero(primary)
        self._victims = self.primary_account[established]
        self._exchanges = self.primary_account[np.flatnonzero(kind == EXCHANGE)]
        self._rings: list[dict[str, np.ndarray]] = []
        self._members: list[dict[str, np.ndarray]] = []
        self._payments: list[dict[str, np.ndarray]] = []

    # -- sizes and ids ------------------------------------------------------------------------------
    def ring_sizes(self, share: float, draw: Callable[[int], np.ndarray]) -> np.ndarray:
        """Member counts of as many rings as it takes to reach ``share`` of the population."""
        target = share * self.n_population
        if target <= 0:
            return np.zeros(0, dtype=np.int64)
        sizes = draw(int(target) + 1)  # every ring has at least one member, so this is enough
        before = np.cumsum(sizes) - sizes
        return sizes[: int(np.searchsorted(before, target, side="left"))]

    def new_rings(self, typology: str, active_from: np.ndarray, active_to: np.ndarray) -> np.ndarray:
        """Register rings of a typology with their active windows; returns their ring indices."""
        first = sum(len(r["typology"]) for r in self._rings)
        n = len(active_from)
        self._rings.append({
            "typology": np.full(n, self.typology_names.index(typology), dtype=np.int8),
            "active_from": np.asarray(active_from, np.int64), "active_to": np.asarray(active_to, np.int64),
        })
        return np.arange(first, first + n)

    # -- entities -----------------------------------------------------------------------------------
    def recruit(self, needed_by: np.ndarray) -> np.ndarray:
        """One member per entry of ``needed_by`` (when the member must exist), as user indices.

        A ``camouflage`` share are established customers with a normal life; the rest are synthetic
        identities that sign up 1-30 days before they are needed, with one device, IP and account.
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

    def _synthetic_identities(self, needed_by: np.ndarray) -> np.ndarray:
        n, rng = len(needed_by), self.rng
        created = needed_by - (rng.uniform(1, 30, n) * DAY).astype(np.int64)
        country = choose(vocab.COUNTRY_WEIGHTS, n, rng).astype(np.int8)
        first_user = self.graph.nodes["user"].num_rows
        self.graph.nodes["user"] = append_rows(
            self.graph.nodes["user"], country=country,
            segment=choose(vocab.SEGMENT_WEIGHTS_PERSON, n, rng).astype(np.int8),
            created_at=created, _family=np.full(n, -1, dtype=np.int64), _kind=np.full(n, PERSON, dtype=np.int8),
        )
        users = np.arange(first_user, first_user + n)
        device = self.add_devices(np.where(rng.random(n) < 0.8, MOBILE, DESKTOP))
        self.link_devices(users, device, created, np.full(n, self.end), primary=True)
        ip = self.add_ips(np.full(n, RESIDENTIAL), country)
        self.link_ips(users, ip, created, np.full(n, self.end), primary=True)
        account = self.add_accounts(users, first_account_opened(created, self.end, rng), primary=True)
        self.primary_account = np.concatenate([self.primary_account, account])
        return users

    def add_devices(self, device_type: np.ndarray) -> np.ndarray:
        return self._append_nodes("device", device_attributes(np.asarray(device_type), self.rng))

    def add_ips(self, connection: np.ndarray, country: np.ndarray | None = None, vpn: np.ndarray | None = None) -> np.ndarray:
        n = len(connection)
        country = choose(vocab.COUNTRY_WEIGHTS, n, self.rng) if country is None else country
        vpn = np.zeros(n, bool) if vpn is None else vpn
        return self._append_nodes("ip", ip_attributes(np.asarray(connection), country, vpn))

    def add_accounts(self, owner: np.ndarray, opened: np.ndarray, primary: bool = False) -> np.ndarray:
        n = len(owner)
        rows = account_rows(owner, np.full(n, CHECKING), opened, np.full(n, primary), self.rng)
        return self._append_nodes("account", rows)

    def account_opened_before(self, owner: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Open a fresh account for each owner 1-20 days before ``before`` (never before sign-up)."""
        created = col(self.graph.nodes["user"], "created_at")[owner]
        opened = np.maximum(created + HOUR, before - (self.rng.uniform(1, 20, len(owner)) * DAY).astype(np.int64))
        return self.add_accounts(owner, opened)

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
    def victims(self, n: int) -> np.ndarray:
        """Primary accounts of random established customers (victims paying into a ring); -1 if none."""
        if not len(self._victims):
            return np.full(n, -1, dtype=np.int64)
        return self._victims[self.rng.integers(0, len(self._victims), n)]

    def exchanges(self, n: int) -> np.ndarray:
        """Exchange accounts where rings cash out (the same places some customers buy crypto); -1 if none."""
        if not len(self._exchanges):
            return np.full(n, -1, dtype=np.int64)
        return self._exchanges[self.rng.integers(0, len(self._exchanges), n)]

    def schedule(self, src, dst, ts, amount, channel, ring, device_edge=None, ip_edge=None) -> None:
        """Schedule payments along TRANSFERS_TO edges (created where missing).

        Payments touching a missing account (-1: no victims or exchanges in a tiny population) and
        payments to oneself (a victim drawn from the ring) are skipped. ``device_edge``/``ip_edge`` name the USES_DEVICE/USES_IP edge the payer acts through;
        -1 lets the transactions stage pick one the payer holds at that moment.
        """
        rows = payment_rows(src, dst, ts, amount, channel, device_edge, ip_edge, ring)
        src, dst = rows["src_account_id"], rows["dst_account_id"]
        ok = (src >= 0) & (dst >= 0) & (src != dst)
        self._payments.append({k: v[ok] for k, v in rows.items()})

    # -- ground truth -------------------------------------------------------------------------------
    def members(self, ring: np.ndarray, node_type: str, node: np.ndarray, role: str | np.ndarray) -> None:
        """Record ring membership: ``node`` of ``node_type`` belongs to ``ring`` in ``role``."""
        n = len(node)
        names, inverse = np.unique(np.broadcast_to(np.asarray(role), (n,)), return_inverse=True)
        codes = np.array([vocab.NODE_ROLES.index(r) for r in names], dtype=np.int8)
        self._members.append({
            "ring": np.asarray(ring, np.int64), "node_type": np.full(n, NODE_TYPES.index(node_type), np.int8),
            "node": np.asarray(node, np.int64), "role": codes[inverse] if n else np.zeros(0, np.int8),
        })

    def finish(self) -> EntityGraph:
        """Add the scheduled payments and their edges; store rings and members as working label tables."""
        if self._payments:
            payments = {k: np.concatenate([p[k] for p in self._payments]) for k in self._payments[0]}
            edges = transfer_rows(payments["src_account_id"], payments["dst_account_id"], PLANNED, payments["channel"])
            self.graph.edges["transfers_to"] = add_transfer_edges(self.graph.edges["transfers_to"], edges)
            self.graph.transactions = append_rows(self.graph.transactions, **payments)
        self.graph.labels["_rings"] = pa.table(_stack(self._rings, {
            "typology": np.int8, "active_from": np.int64, "active_to": np.int64}))
        self.graph.labels["_members"] = pa.table(_stack(self._members, {
            "ring": np.int64, "node_type": np.int8, "node": np.int64, "role": np.int8}))
        return self.graph


def _stack(parts: list[dict[str, np.ndarray]], dtypes: dict[str, type]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]).astype(t) if parts else np.zeros(0, t) for k, t in dtypes.items()}
