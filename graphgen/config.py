"""Configuration: pydantic models validated up front, YAML presets shipped in the package.

Resolution order: a preset (``--preset``, else the file's own ``preset:`` key, else ``default``), then the
YAML file's keys on top, then the command-line flags. The result is a frozen :class:`GraphgenConfig`;
every error names the offending key and becomes one line on stderr.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, create_model, model_validator

from graphgen.errors import UsageError
from graphgen.params import Amount, Count, FloatRange, IntRange, Share, StrictModel
from graphgen.rings import REGISTRY


class AmountsConfig(StrictModel):
    """What legitimate payments are worth (the same scale fraud imitates with rings.mimicry)."""

    salary: Amount = Amount(median=2400, spread=0.45, jitter=0.015)
    rent: Amount = Amount(median=950, spread=0.35)  # per household; flatmates pay the head their part
    utility: Amount = Amount(median=75, spread=0.3, jitter=0.25)
    card_repayment: Amount = Amount(median=450, spread=0.8, jitter=0.35)
    savings_order: FloatRange = FloatRange(low=50, high=500)  # standing order into one's own savings
    household_pot: FloatRange = FloatRange(low=200, high=900)  # an earner's monthly part for the household
    purchase: FloatRange = FloatRange(low=15, high=120)  # typical card purchase at one merchant
    purchase_jitter: float = Field(0.7, ge=0, le=3)
    friend: Amount = Amount(median=45, spread=0.9, jitter=0.4)
    family: Amount = Amount(median=60, spread=1.0, jitter=0.6)
    large_payment: Amount = Amount(median=1500, spread=0.7)  # a car, a deposit, tuition
    crypto: Amount = Amount(median=200, spread=0.8, jitter=0.8)
    sale: Amount = Amount(median=60, spread=0.8)  # what a stranger pays an online seller
    resale: Amount = Amount(median=250, spread=0.8)  # what a stranger pays a reseller (phones, tickets, parts)
    collection_share: Amount = Amount(median=20, spread=0.7)  # what each friend owes a collector
    bill_split: Amount = Amount(median=35, spread=0.6)  # one hop of a flat-share settling a bill


class PopulationConfig(StrictModel):
    """The legitimate population and how it pays."""

    new_user_share: Share = 0.08  # users who sign up during the horizon
    history_years: float = Field(4.0, gt=0, le=30)  # how far back older users signed up
    business_share: Share = 0.02  # users that are businesses: employers, merchants, utilities, exchanges
    devices_per_user: Count = Count(min=1, median=1, max=12, sigma=0.7)
    accounts_per_user: Count = Count(min=1, median=1.5, max=8, sigma=0.5)
    employed_share: Share = 0.7
    renter_share: Share = 0.4  # households paying rent to a landlord
    landlord_share: Share = 0.015
    utilities_per_household: Count = Count(min=1, median=1, max=4, sigma=0.5)
    merchants_per_user: Count = Count(min=0, median=1.5, max=60, sigma=0.8)
    purchases_per_merchant_per_month: float = Field(0.3, gt=0, le=100)
    payday_spending_share: Share = 0.5  # of employed people's card purchases, made within a day of payday
    friends_per_user: Count = Count(min=0, median=1, max=40, sigma=0.9)
    p2p_per_friend_per_month: float = Field(0.3, gt=0, le=100)
    family_payments_per_month: float = Field(0.6, gt=0, le=100)  # each way between family members
    crypto_share: Share = 0.04  # people who buy at exchanges, where fraud also cashes out
    card_repayment_share: Share = 0.8  # credit-card holders paying their card off from checking after payday
    card_purchase_share: Share = 0.5  # of card holders' shops, those paid with the credit card
    card_spree_share: Share = 0.05  # credit cards run up to most of their limit in one purchase during the horizon
    return_rate: Share = 0.003  # bank-run payments and card repayments returned for want of funds
    tight_budget_share: Share = 0.06  # people living payday to payday ...
    tight_return_rate: Share = 0.08  # ... whose payments bounce this often
    household_pot_share: Share = 0.6  # employed family members passing part of their pay to the household head
    large_payment_share: Share = 0.15  # people making a one-off large payment (a car, a deposit, tuition)
    instant_share: Share = 0.5  # person-to-person payments sent as instant transfers (fraud uses the same mix)
    round_amount_share: Share = 0.1  # discretionary payments in round amounts, the same for fraud and not
    pay_day: FloatRange = FloatRange(low=23, high=29)  # day of the month employers pay (each its own)
    activity_spread: float = Field(1.35, ge=0, le=3)  # log-sigma of how much more or less than others a person pays
    dormant_share: Share = 0.14  # customers with no activity of their own from the start of the horizon
    wake_share: Share = 0.3  # of the dormant, those who wake up during the horizon
    leaver_share: Share = 0.03  # customers who stop all activity during the horizon
    # Online banking besides payments (events.parquet): every app payment session starts with a login.
    logins_per_month: float = Field(3.0, ge=0, le=1000)  # logins without a payment (checking a balance), times activity
    email_changes_per_year: float = Field(0.15, ge=0, le=100)
    phone_changes_per_year: float = Field(0.12, ge=0, le=100)
    address_changes_per_year: float = Field(0.1, ge=0, le=100)
    change_on_new_device_share: Share = 0.5  # phone and e-mail changes (and payees) made days after a new device appears
    new_number_share: Share = 0.15  # people getting a new device who also take a new phone number with it
    payee_added_in_session_share: Share = 0.6  # new payees added minutes before the first payment, else earlier
    amounts: AmountsConfig = AmountsConfig()


class DecoysConfig(StrictModel):
    """Legitimate look-alikes of the ring patterns: what makes ring detection a real problem."""

    household_share: Share = 0.45  # people living with others: shared home IP
    household_size: Count = Count(min=2, median=3, max=6, sigma=0.35)
    roommate_share: Share = 0.25  # multi-person households that are flat-shares splitting rent
    shared_device_share: Share = 0.5  # family households sharing a tablet
    bill_split_loop_share: Share = 0.3  # flat-shares settling bills around a short A->B->C->A loop
    new_arrivals_share: Share = 0.3  # flat-shares of students or new arrivals who all sign up within days
    arrivals_within_days: FloatRange = FloatRange(low=1, high=30)
    arrivals_spree_share: Share = 0.4  # of their flats, those furnished on the flatmates' credit cards (each run up)
    shared_phone_share: Share = 0.15  # families where two members give one phone number (a parent's, a carer's)
    shared_terminals_per_10k: float = Field(4.0, ge=0, le=1000)  # library PCs, kiosks: many users
    terminal_users: Count = Count(min=3, median=20, max=250, sigma=0.8)
    mobile_share: Share = 0.55  # people on mobile data behind carrier-grade NAT
    cgnat_users: Count = Count(min=10, median=120, max=2000, sigma=0.8)
    office_share: Share = 0.35  # employees behind their employer's office NAT
    public_wifi_share: Share = 0.15
    wifi_sessions: Count = Count(min=1, median=2, max=12, sigma=0.6)
    vpn_share: Share = 0.06  # people using commercial VPN exits shared with many others
    vpn_users_per_exit: Count = Count(min=5, median=40, max=500, sigma=0.8)
    ip_churn_share: Share = 0.1  # households whose ISP reassigns their home IP mid-horizon
    collector_share: Share = 0.03  # people collecting money from friends and paying it on (trips, clubs, gifts)
    collections: Count = Count(min=1, median=1, max=4, sigma=0.6)  # collections per collector
    collection_payers: Count = Count(min=3, median=6, max=25, sigma=0.5)
    seller_share: Share = 0.01  # people selling online: paid by many strangers
    sales: Count = Count(min=3, median=10, max=80, sigma=0.7)
    # Money passed on within hours or days, less a cut, as mules do: not mule networks.
    reseller_share: Share = 0.004  # people reselling goods: each sale passed on to their supplier, less a margin
    reseller_sales: Count = Count(min=3, median=12, max=80, sigma=0.7)
    reseller_pass_hours: FloatRange = FloatRange(low=0.5, high=48)
    reseller_margin: FloatRange = FloatRange(low=0.05, high=0.3)
    letting_agent_share: Share = 0.001  # people letting flats for landlords: rents passed on less a fee
    agent_flats: Count = Count(min=2, median=6, max=40, sigma=0.6)
    agent_pass_days: FloatRange = FloatRange(low=0.2, high=5)
    agent_fee: FloatRange = FloatRange(low=0.05, high=0.15)
    # Device bursts that are not rings: several people first seen on one device within days.
    demo_devices_per_10k: float = Field(5.0, ge=0, le=1000)  # shop and branch demo devices, in use for days
    demo_users: Count = Count(min=2, median=5, max=20, sigma=0.6)  # customers set up on one demo device
    demo_days: FloatRange = FloatRange(low=1, high=21)  # how long a demo device is in use
    helper_share: Share = 0.004  # people setting up banking on their own phone for elderly relatives, neighbours
    helped_users: Count = Count(min=1, median=2, max=6, sigma=0.6)
    helped_within_days: FloatRange = FloatRange(low=1, high=21)  # the helped all first use the phone within this
    staff_device_share: Share = 0.05  # employers issuing one shop-floor tablet to several staff within days
    staff_device_users: Count = Count(min=2, median=5, max=15, sigma=0.5)
    staff_within_days: FloatRange = FloatRange(low=1, high=10)
    second_hand_share: Share = 0.05  # secondary devices sold on to a new owner after their first one stops
    # IP successions that are not rings: several people holding one address one after another.
    dynamic_pool_share: Share = 0.02  # people on small ISP or carrier pools that rotate a few addresses among them
    dynamic_pool_users: Count = Count(min=2, median=6, max=16, sigma=0.5)  # subscribers sharing one small pool
    dynamic_pool_ips: IntRange = IntRange(low=1, high=5)
    dynamic_lease_hours: FloatRange = FloatRange(low=2, high=96)
    pool_landlord_share: Share = 0.5  # small pools serving one building whose tenants all pay one landlord
    hotel_wifi_per_10k: float = Field(1.0, ge=0, le=1000)  # hotels, airports, campuses: guest after guest
    hotel_guests: Count = Count(min=3, median=12, max=60, sigma=0.6)
    hotel_stay_days: FloatRange = FloatRange(low=0.5, high=5)
    # Money cycles that are not kiting: repeated, time-ordered cycles of large payments among friends.
    savings_circle_share: Share = 0.012  # people in rotating savings circles: a pot passed round in a fixed order
    circle_size: Count = Count(min=3, median=7, max=14, sigma=0.4)
    circle_contribution: FloatRange = FloatRange(low=100, high=1500)
    circle_hop_hours: FloatRange = FloatRange(low=1, high=168)  # a circle's pace: its slowest hop
    loan_chain_share: Share = 0.008  # friends passing a loan on around the circle and back, once
    newcomer_circle_share: Share = 0.3  # circles and loans that take in people who opened their account weeks before
    # Credit losses that are not bust-outs: young customers who run a card up, stop paying and leave (a lost job,
    # a move abroad); flat-shares of new arrivals leaving together at the end of a term.
    card_default_share: Share = 0.06  # of card holders who signed up in the last half year or during the horizon
    arrivals_leave_share: Share = 0.2  # of new arrivals' flat-shares, those whose flatmates all leave at once
    default_days: FloatRange = FloatRange(low=1, high=14)  # the card is run up within this before leaving
    default_spent: FloatRange = FloatRange(low=0.5, high=1.0)  # of the card's limit
    default_bounce_share: Share = 0.4  # of those leaving with a card, those whose last repayment is returned
    # New payees in bursts that are not takeovers: a new job, a flat-share, a club's treasurer set up at once.
    payee_burst_share: Share = 0.3  # of people with 2+ payees added during the horizon, those adding them in one sitting
    payee_burst_minutes: FloatRange = FloatRange(low=2, high=60)


class LabelsConfig(StrictModel):
    """When fraud becomes known: label delay."""

    delay_mean_days: float = Field(5.0, gt=0, le=365)  # mean of the log-normal confirmation delay
    delay_sigma: float = Field(0.8, gt=0, le=3)
    unconfirmed_share: Share = 0.1  # fraud never confirmed by the snapshot, whatever the delay


class _RingsBase(StrictModel):
    """Fraud rings; one section per registered typology."""

    # Share of ring members who are established customers keeping their normal activity; the rest are
    # freshly created synthetic identities. Higher camouflage makes rings harder to tell from decoys.
    camouflage: Share = 0.6
    # Share of ring activity run from members' own clean devices and IPs instead of the ring's.
    clean_share: Share = 0.25
    # How closely ring payments imitate ordinary ones: 0 keeps fraud amounts large and cash-outs in one
    # piece; 1 draws them like everyday payments and splits cash-outs.
    mimicry: Share = 0.5
    # Multiplies every typology's share: presets for detection work raise them all at once.
    share_scale: float = Field(1.0, ge=0, le=1000)

    def share(self, typology: str) -> float:
        """The share of users in rings of ``typology``, scaled."""
        return getattr(self, typology).share * self.share_scale

    @model_validator(mode="after")
    def _shares_fit(self) -> _RingsBase:
        total = sum(self.share(name) for name in REGISTRY)
        if total > 1:
            raise ValueError(f"typology shares sum to {total:g} (after share_scale), past 1")
        return self


RingsConfig = create_model(
    "RingsConfig",
    __base__=_RingsBase,
    **{name: (t.config_model, t.config_model()) for name, t in REGISTRY.items()},
)


DIFFICULTY_LEVELS: dict[str, dict[str, Any]] = {
    # How hard the rings are to tell from legitimate users. Each level sets rings.camouflage, clean_share and
    # mimicry (member behaviour) and the rings' structure: how far each structural signal reaches into the
    # range its legitimate look-alikes cover. At easy, rings are big, tight and fast; at hard they are small,
    # slow and spread out, where families, shops, carriers and savings circles also are. "medium" equals the
    # defaults; keys given explicitly in the same config win, key by key.
    "easy": {
        "camouflage": 0.2, "clean_share": 0.05, "mimicry": 0.0,
        "device_sharing": {"size": {"min": 7, "median": 12, "max": 40, "sigma": 0.4}, "users_per_device": [6, 12],
                           "window_days": [1, 4], "own_device_share": 0.0, "collectors": [1, 1]},
        "ip_recycling": {"size": {"min": 4, "median": 7, "max": 16, "sigma": 0.4}, "pool_size": [3, 6],
                         "slot_hours": [4, 24], "gap_share": [0.01, 0.05], "overlap_share": 0.0, "collectors": [1, 1],
                         "hosting_share": 0.9},
        "kiting": {"cycle_length": [3, 8], "rounds": [3, 6], "hop_hours": [0.5, 8], "round_gap_days": [1, 4],
                   "escalation": [1.1, 1.5]},
        "mule_network": {"first_layer": {"min": 4, "median": 8, "max": 30, "sigma": 0.5}, "layers": [2, 3],
                         "narrowing": [0.2, 0.5], "victims_per_mule": [2, 6], "pass_hours": [0.25, 6], "cut": [0.02, 0.12],
                         "pieces": [1, 3]},
        "account_takeover": {"victims": {"min": 3, "median": 8, "max": 30, "sigma": 0.5}, "window_days": [2, 20],
                             "sleeper_share": 0.8, "hosting_share": 0.9, "change_share": 0.95, "change_hours": [0.1, 6],
                             "payees": [2, 5], "burst_minutes": [1, 15], "drain_hours": [0.1, 4]},
        "bust_out": {"identities": {"min": 3, "median": 5, "max": 12, "sigma": 0.4}, "signup_days": [1, 7],
                     "address_share": 0.8, "phone_share": 0.6, "device_share": 0.6, "bust_days": [1, 3],
                     "spent": [0.9, 1.0], "bounce_share": 0.8, "history_payments": [20, 50]},
    },
    "medium": {
        "camouflage": 0.6, "clean_share": 0.25, "mimicry": 0.5,
        "device_sharing": {"size": {"min": 4, "median": 9, "max": 40, "sigma": 0.5}, "users_per_device": [3, 10],
                           "window_days": [1, 10], "own_device_share": 0.3, "collectors": [1, 2]},
        "ip_recycling": {"size": {"min": 3, "median": 6, "max": 16, "sigma": 0.4}, "pool_size": [2, 6],
                         "slot_hours": [4, 72], "gap_share": [0.01, 0.3], "overlap_share": 0.1, "collectors": [1, 2],
                         "hosting_share": 0.6},
        "kiting": {"cycle_length": [3, 10], "rounds": [1, 6], "hop_hours": [0.5, 16], "round_gap_days": [1, 10],
                   "escalation": [1.02, 1.4]},
        "mule_network": {"first_layer": {"min": 3, "median": 6, "max": 24, "sigma": 0.5}, "layers": [1, 2],
                         "narrowing": [0.3, 0.7], "victims_per_mule": [1, 5], "pass_hours": [0.5, 24], "cut": [0.02, 0.12],
                         "pieces": [1, 3]},
        "account_takeover": {"victims": {"min": 1, "median": 4, "max": 24, "sigma": 0.6}, "window_days": [3, 45],
                             "sleeper_share": 0.6, "hosting_share": 0.6, "change_share": 0.8, "change_hours": [0.1, 48],
                             "payees": [1, 4], "burst_minutes": [2, 60], "drain_hours": [0.1, 24]},
        "bust_out": {"identities": {"min": 2, "median": 4, "max": 10, "sigma": 0.5}, "signup_days": [1, 21],
                     "address_share": 0.5, "phone_share": 0.4, "device_share": 0.4, "bust_days": [1, 7],
                     "spent": [0.5, 1.0], "bounce_share": 0.5, "history_payments": [10, 40]},
    },
    "hard": {
        "camouflage": 0.9, "clean_share": 0.5, "mimicry": 0.9,
        "device_sharing": {"size": {"min": 3, "median": 6, "max": 30, "sigma": 0.6}, "users_per_device": [2, 6],
                           "window_days": [2, 21], "own_device_share": 0.6, "collectors": [1, 4]},
        "ip_recycling": {"size": {"min": 2, "median": 5, "max": 12, "sigma": 0.5}, "pool_size": [2, 4],
                         "slot_hours": [6, 120], "gap_share": [0.05, 0.6], "overlap_share": 0.3, "collectors": [1, 4],
                         "hosting_share": 0.3},
        "kiting": {"cycle_length": [3, 12], "rounds": [1, 4], "hop_hours": [2, 48], "round_gap_days": [3, 30],
                   "escalation": [1.0, 1.15]},
        "mule_network": {"first_layer": {"min": 2, "median": 4, "max": 16, "sigma": 0.5}, "layers": [1, 2],
                         "narrowing": [0.5, 1.0], "victims_per_mule": [1, 3], "pass_hours": [2, 72], "cut": [0.05, 0.3],
                         "pieces": [1, 2]},
        "account_takeover": {"victims": {"min": 1, "median": 2, "max": 10, "sigma": 0.6}, "window_days": [7, 60],
                             "sleeper_share": 0.3, "hosting_share": 0.2, "change_share": 0.5, "change_hours": [1, 96],
                             "payees": [1, 3], "burst_minutes": [5, 180], "drain_hours": [2, 72]},
        "bust_out": {"identities": {"min": 2, "median": 3, "max": 8, "sigma": 0.5}, "signup_days": [3, 45],
                     "address_share": 0.35, "phone_share": 0.25, "device_share": 0.3, "bust_days": [3, 21],
                     "spent": [0.4, 0.9], "bounce_share": 0.3, "history_payments": [5, 30]},
    },
}


DIFFICULTY_DECOYS: dict[str, dict[str, Any]] = {
    # Look-alikes a level adds to the population. At hard, credit losses are twice as common (a subprime book),
    # so that young customers who run a card up and go quiet are no longer rare enough to point at bust-outs; at
    # easy, flat-shares rarely leave together with their cards run up and fewer last repayments bounce (a prime
    # book), so bust-outs stand apart.
    "easy": {"arrivals_leave_share": 0.05, "default_bounce_share": 0.2},
    "medium": {},
    "hard": {"card_default_share": 0.12, "arrivals_leave_share": 0.4},
}


class GraphgenConfig(StrictModel):
    """Everything that determines a generated graph; the same config gives byte-identical files."""

    difficulty: Literal["easy", "medium", "hard"] = "medium"
    users: int = Field(100_000, ge=1, le=20_000_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    start_date: dt.date = dt.date(2026, 1, 1)
    horizon_days: int = Field(90, ge=7, le=730)
    population: PopulationConfig = PopulationConfig()
    decoys: DecoysConfig = DecoysConfig()
    rings: RingsConfig = RingsConfig()  # type: ignore[valid-type]
    labels: LabelsConfig = LabelsConfig()

    @model_validator(mode="before")
    @classmethod
    def _apply_difficulty(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("difficulty") in DIFFICULTY_LEVELS:
            level = data["difficulty"]
            for section, defaults in (("rings", DIFFICULTY_LEVELS[level]), ("decoys", DIFFICULTY_DECOYS[level])):
                given = data.get(section, {})
                if isinstance(given, dict):
                    data = {**data, section: _deep_merge(defaults, given)}
        return data

    def horizon_ms(self) -> tuple[int, int]:
        """``(start, end)`` of the horizon in epoch milliseconds; ``end`` is the snapshot."""
        start = dt.datetime.combine(self.start_date, dt.time(), tzinfo=dt.timezone.utc)
        start_ms = int(start.timestamp() * 1000)
        return start_ms, start_ms + self.horizon_days * 24 * 3_600_000

    @model_validator(mode="after")
    def _rings_fit_the_horizon(self) -> GraphgenConfig:
        for name in REGISTRY:
            needed = getattr(self.rings, name).min_horizon_days()
            if needed >= self.horizon_days:
                raise ValueError(f"rings.{name} needs a horizon longer than {needed:g} days, got horizon_days={self.horizon_days}")
        return self


PRESETS_PACKAGE = "graphgen.presets"


def preset_names() -> list[str]:
    files = resources.files(PRESETS_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise UsageError(f"{source}: malformed YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: expected a mapping of config keys, got {type(data).__name__}")
    return data


def load_preset(name: str) -> dict[str, Any]:
    """The raw settings of a shipped preset (without the model defaults filled in)."""
    if name not in preset_names():
        raise UsageError(f"unknown preset {name!r}; choose one of: {', '.join(preset_names())}")
    text = resources.files(PRESETS_PACKAGE).joinpath(f"{name}.yaml").read_text()
    data = _read_yaml(text, f"preset {name}")
    data.pop("description", None)
    return data


def preset_descriptions() -> dict[str, str]:
    out = {}
    for name in preset_names():
        text = resources.files(PRESETS_PACKAGE).joinpath(f"{name}.yaml").read_text()
        out[name] = str(_read_yaml(text, f"preset {name}").get("description", ""))
    return out


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def describe_validation_error(exc: ValidationError) -> str:
    """All of a pydantic error's problems on one line, each with its dotted key."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "config"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        parts.append(f"{loc}: {msg}")
    return "invalid config: " + "; ".join(parts)


def validate_config(data: dict[str, Any]) -> GraphgenConfig:
    try:
        return GraphgenConfig.model_validate(data)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(exc)) from None


def resolve_config(
    preset: str | None = None,
    config_file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> GraphgenConfig:
    """Merge preset, YAML file and flag overrides into a validated config."""
    file_data: dict[str, Any] = {}
    if config_file is not None:
        path = Path(config_file)
        try:
            text = path.read_text()
        except OSError as exc:
            raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
        file_data = _read_yaml(text, str(path))
    file_preset = file_data.pop("preset", None)
    if file_preset is not None and not isinstance(file_preset, str):
        raise UsageError(f"{config_file}: preset must be a preset name")
    data = _deep_merge(load_preset(preset or file_preset or "default"), file_data)
    data = _deep_merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})
    return validate_config(data)


def config_json_schema() -> dict[str, Any]:
    return GraphgenConfig.model_json_schema()
