"""Synthetic identities that survive a close look, generated at numpy speed once the graph is grown.

Names, streets, cities and postcodes are read from Faker's locale data once per process (a fixed Faker seed,
so the pools are the same on every run) and sampled vectorised; phone numbers follow each country's real
mobile numbering plan (``phonenumbers`` metadata); IBANs use real bank codes and the national layout of each
country (``schwifty``'s registry) with correct national and mod-97 check digits; device models, OS versions
and user agents agree with each other and with the day the device was first seen; IP addresses come from
per-country, per-network-type address blocks.

Everything is computed from random draws and public attributes only (country, household, family, device
type, first sighting), never from anything that knows about fraud, and never from ids. Values that must be
unique (e-mail addresses, account numbers, IP addresses) are made unique by construction or by redrawing the
few collisions; members of one household share an address and families share a surname, and nobody else
shares either by accident.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker
from schwifty import registry as bank_registry

from graphgen import locales, vocab
from graphgen.sampling import choose

POOL_SEED = 20_260_101  # Faker pools are fixed: reproducibility comes from the config seed that samples them
NAMES_PER_POOL, STREETS_PER_POOL, PLACES_PER_POOL = 600, 800, 300
HOUSE_NUMBERS = 240  # per street, before flats are numbered
EMAIL_YEAR_SHARE = 0.35  # e-mail local parts ending in a two-digit year
MOBILE_PREFIXES = 40  # 3-digit mobile prefixes drawn per country


def _ascii(text: str) -> str:
    """Lower-case ASCII for e-mail local parts: accents dropped, anything else removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


@cache
def _pools(country: str) -> dict[str, pa.Array]:
    fake = Faker(locales.FAKER_LOCALE[country])
    fake.seed_instance(POOL_SEED)
    # Some providers build word lists through sets (it_IT's cities), whose order changes with PYTHONHASHSEED:
    # draws from them would differ between processes. Sorted word lists make the pools the same in every process.
    for provider in fake.get_providers():
        for name, value in vars(type(provider)).items():
            if isinstance(value, (set, frozenset, list, tuple)) and value and all(isinstance(v, str) for v in value):
                setattr(provider, name, tuple(sorted(value)))

    def unique(draw, n: int) -> list[str]:
        return list(dict.fromkeys(draw() for _ in range(n)))

    first, last = unique(fake.first_name, NAMES_PER_POOL), unique(fake.last_name, NAMES_PER_POOL)
    places = [(fake.postcode(), fake.city()) for _ in range(PLACES_PER_POOL)]
    return {
        "first": pa.array(first), "last": pa.array(last),
        "first_ascii": pa.array([_ascii(n) or "x" for n in first]), "last_ascii": pa.array([_ascii(n) or "x" for n in last]),
        "street": pa.array(unique(fake.street_name, STREETS_PER_POOL)),
        "postcode": pa.array([p for p, _ in places]), "city": pa.array([c for _, c in places]),
    }


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


DECIMAL, HEXADECIMAL = b"0123456789", b"0123456789abcdef"


def _symbols(values: np.ndarray, width: int, alphabet: bytes = DECIMAL) -> np.ndarray:
    """Non-negative integers written in the alphabet's base, zero-padded: one row of ASCII codes per value."""
    base, symbols = np.uint64(len(alphabet)), np.frombuffer(alphabet, dtype=np.uint8)
    rest = np.asarray(values, dtype=np.uint64).copy()
    chars = np.empty((len(rest), width), dtype=np.uint8)
    for position in range(width - 1, -1, -1):  # one pass per character position, not per value
        rest, digit = np.divmod(rest, base)
        chars[:, position] = symbols[digit]
    return chars


def _fixed_width(values: np.ndarray, width: int, alphabet: bytes = DECIMAL) -> pa.Array:
    """Non-negative integers as zero-padded strings of ``width`` characters in the alphabet's base."""
    return pa.array(_symbols(values, width, alphabet).view(f"S{width}").ravel()).cast(pa.string())


def _take(values: pa.Array, index: np.ndarray) -> pa.Array:
    return values.take(pa.array(np.asarray(index, dtype=np.int64)))


def _made_unique(values: pa.Array, rng: np.random.Generator, width: int = 4) -> pa.Array:
    """Append ``.NNNN`` (random digits) to the second and later copies of a value, until all are unique."""
    series = pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)
    while True:
        repeated = series.duplicated().to_numpy()
        if not repeated.any():
            return pa.array(series.to_numpy(), pa.string())
        tags = _fixed_width(rng.integers(0, 10**width, int(repeated.sum())), width).to_pylist()
        local, domain = series[repeated].str.split("@", n=1).str[0], series[repeated].str.split("@", n=1).str[1]
        series[repeated] = local + "." + pd.Series(tags, index=local.index) + "@" + domain


# -- people ----------------------------------------------------------------------------------------------
def user_strings(is_business: np.ndarray, family: np.ndarray, household: np.ndarray, phone_group: np.ndarray,
                 country: np.ndarray, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Name, e-mail, phone and postal address of users.

    ``country`` holds codes into :data:`graphgen.vocab.COUNTRY_CODES`; members of one ``family`` share a
    surname, members of one ``household`` (``-1``: none) an address, members of one ``phone_group`` a phone
    number; nobody else shares any of them.
    """
    n = len(country)
    columns = {name: [None] * n for name in ("name", "email", "phone", "address")}
    order = np.argsort(country, kind="stable")
    bounds = np.searchsorted(country[order], np.arange(len(vocab.COUNTRY_CODES) + 1))
    parts: dict[str, list[pa.Array]] = {name: [] for name in columns}
    for code, cc in enumerate(vocab.COUNTRY_CODES):
        rows = order[bounds[code]:bounds[code + 1]]
        if not len(rows):
            continue
        strings = _country_strings(cc, is_business[rows], family[rows], household[rows], rng)
        for name in columns:
            parts[name].append(strings[name])
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)  # rows were grouped by country; put them back in the caller's order
    out = {name: pa.concat_arrays(arrays).take(pa.array(back)) if arrays else pa.array([], pa.string())
           for name, arrays in parts.items()}
    out["email"] = _made_unique(out["email"], rng)
    out["phone"] = _shared(_unique_phones(out["phone"], country, rng), phone_group)
    return out


def _shared(values: pa.Array, group: np.ndarray) -> pa.Array:
    """Every member of a group (``-1``: none) gets the value of the group's first member."""
    rows = np.flatnonzero(group >= 0)
    _, first, of = np.unique(group[rows], return_index=True, return_inverse=True)
    take = np.arange(len(values))
    take[rows] = rows[first][of]
    return values.take(pa.array(take))


def _unique_phones(phones: pa.Array, country: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Redraw the numbers two users got by chance, until every user has their own."""
    values = phones.to_numpy(zero_copy_only=False).astype(object)
    while True:
        repeated = np.flatnonzero(pd.Series(values).duplicated().to_numpy())
        if not len(repeated):
            return pa.array(values, pa.string())
        for code in np.unique(country[repeated]):
            rows = repeated[country[repeated] == code]
            values[rows] = _phones(vocab.COUNTRY_CODES[code], len(rows), rng).to_numpy(zero_copy_only=False)


def _country_strings(cc: str, is_business: np.ndarray, family: np.ndarray, household: np.ndarray,
                     rng: np.random.Generator) -> dict[str, pa.Array]:
    pools, n = _pools(cc), len(family)
    n_first, n_last = len(pools["first"]), len(pools["last"])
    first = rng.integers(0, n_first, n)
    # Families share a surname: one draw per family, looked up by the family's index.
    families, family_of = np.unique(np.where(family >= 0, family, -1), return_inverse=True)
    family_last = rng.integers(0, n_last, len(families))
    last = np.where(family >= 0, family_last[family_of], rng.integers(0, n_last, n))
    form = np.asarray(locales.COMPANY_FORMS[cc])
    company = _join(_take(pools["last"], last), pa.array(form[rng.integers(0, len(form), n)]), sep=" ")
    name = pc.if_else(pa.array(is_business), company, _join(_take(pools["first"], first), _take(pools["last"], last), sep=" "))

    # E-mail: a few common patterns of the ASCII name, sometimes a two-digit year, at a provider of the country.
    f_ascii, l_ascii = _take(pools["first_ascii"], first), _take(pools["last_ascii"], last)
    initial = pc.utf8_slice_codeunits(f_ascii, 0, 1)
    patterns = [_join(f_ascii, l_ascii, sep="."), _join(f_ascii, l_ascii), _join(initial, l_ascii),
                _join(f_ascii, l_ascii, sep="_"), _join(l_ascii, f_ascii, sep=".")]
    which = choose(np.array([0.4, 0.2, 0.15, 0.1, 0.15]), n, rng)
    local = pc.choose(pa.array(which.astype(np.int8)), *patterns)
    year = _fixed_width(rng.integers(60, 106, n) % 100, 2)
    local = pc.if_else(pa.array(rng.random(n) < EMAIL_YEAR_SHARE), _join(local, year), local)
    domains = {**locales.GLOBAL_EMAIL, **locales.LOCAL_EMAIL.get(cc, {})}
    names, weights = np.array(list(domains)), np.array(list(domains.values()), dtype=float)
    domain = pa.array(names[choose(weights / weights.sum(), n, rng)])
    company_domain = _join(l_ascii, pa.array(np.full(n, locales.COMPANY_TLD[cc])), sep=".")
    email = pc.if_else(pa.array(is_business), _join(pa.array(np.full(n, "info")), company_domain, sep="@"),
                       _join(local, domain, sep="@"))
    return {"name": name, "email": email, "phone": _phones(cc, n, rng), "address": _addresses(cc, household, rng)}


def _addresses(cc: str, household: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """One address per household (and per user outside one); no two households share one."""
    pools, n = _pools(cc), len(household)
    keys, home = np.unique(np.where(household >= 0, household, -2 - np.arange(n)), return_inverse=True)
    n_streets = len(pools["street"])
    space = max(n_streets * HOUSE_NUMBERS, 2 * len(keys))  # beyond the streets' numbers, flats are numbered
    slot = rng.choice(space, size=len(keys), replace=False)[home]  # each household's own (street, number, flat)
    street, number = slot % n_streets, 1 + (slot // n_streets) % HOUSE_NUMBERS
    flat = slot // (n_streets * HOUSE_NUMBERS)
    place = rng.integers(0, len(pools["city"]), len(keys))[home]
    number_text = pc.cast(pa.array(number), pa.string())
    number_text = pc.if_else(pa.array(flat > 0), _join(number_text, pc.cast(pa.array(flat), pa.string()), sep="/"), number_text)
    street_text = _take(pools["street"], street)
    line = (_join(number_text, street_text, sep=" ") if cc in locales.NUMBER_FIRST_ADDRESSES
            else _join(street_text, number_text, sep=" "))
    town = _join(_take(pools["postcode"], place), _take(pools["city"], place), sep=" ")
    return _join(line, town, sep=", ")


@cache
def _mobile_plan(cc: str) -> tuple[str, np.ndarray, int]:
    """Dialling code, the 4-digit mobile prefixes after which every completion is a valid number, and the
    national number's length (probed against the numbering plan's mobile pattern)."""
    region = phonenumbers.PhoneMetadata.metadata_for_region(cc)
    pattern = re.compile(region.mobile.national_number_pattern)
    length = min(region.mobile.possible_length)
    probe = np.random.default_rng(0)

    def tails(rest: int, tries: int) -> list[str]:
        """Random completions, plus each digit repeated and each digit leading (constraints sit up front)."""
        random = ["".join(map(str, probe.integers(0, 10, rest))) for _ in range(tries)]
        return [*random, *(str(d) * rest for d in range(10)), *(str(d) + random[0][1:] for d in range(10))]

    first_tails, lead_tails = tails(length - 1, 40), tails(length - 3, 6)
    firsts = [str(d) for d in range(1, 10) if any(pattern.fullmatch(str(d) + t) for t in first_tails)]
    leads = [f"{f}{p:02d}" for f in firsts for p in range(100) if any(pattern.fullmatch(f"{f}{p:02d}" + t) for t in lead_tails)]
    checks = tails(length - 4, 12)
    leads = list(probe.permutation(leads)[:MOBILE_PREFIXES])  # a few dozen operator prefixes are plenty
    good = [int(f"{lead}{d}") for lead in leads for d in range(10) if all(pattern.fullmatch(f"{lead}{d}{t}") for t in checks)]
    return str(region.country_code), np.array(good), length


def _phones(cc: str, n: int, rng: np.random.Generator) -> pa.Array:
    """E.164 mobile numbers in the country's numbering plan."""
    dial, prefixes, length = _mobile_plan(cc)
    national = _join(pc.cast(pa.array(prefixes[rng.integers(0, len(prefixes), n)]), pa.string()),
                     _fixed_width(rng.integers(0, 10 ** (length - 4), n), length - 4))
    return _join(pa.array(np.full(n, f"+{dial}")), national)


# -- accounts ---------------------------------------------------------------------------------------------
_LETTER_VALUE = {chr(ord("A") + i): 10 + i for i in range(26)}
_ITALY_ODD = np.array([1, 0, 5, 7, 9, 13, 15, 17, 19, 21])  # CIN weights of digits in odd positions


@cache
def _banks(cc: str) -> np.ndarray:
    """Real bank codes of the country; in Germany those whose account numbers carry no check digit."""
    banks = [b for b in bank_registry.get_banks_by_country(cc) if b.bank_code and b.primary]
    if cc == "DE":
        banks = [b for b in banks if b.checksum_algo == "09"]
    spec = bank_registry.get_iban_spec(cc)
    width = spec.positions[bank_registry.Component.BANK_CODE].end - spec.positions[bank_registry.Component.BANK_CODE].start
    return np.array(sorted({b.bank_code for b in banks if len(b.bank_code) == width}))


def _mod97(chars: np.ndarray) -> np.ndarray:
    """Rows of ASCII codes (digits and capital letters) read as one number (letters as 10-35), mod 97."""
    r = np.zeros(len(chars), dtype=np.int64)
    for column in chars.T:
        letter = column >= ord("A")
        r = np.where(letter, (r * 100 + column - ord("A") + 10) % 97, (r * 10 + column - ord("0")) % 97)
    return r


def account_numbers(country: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Unique, valid IBANs: the owner's country, a real bank of it, random account digits, check digits."""
    order = np.argsort(country, kind="stable")
    bounds = np.searchsorted(country[order], np.arange(len(vocab.COUNTRY_CODES) + 1))
    parts = [_ibans(cc, int(bounds[code + 1] - bounds[code]), rng) for code, cc in enumerate(vocab.COUNTRY_CODES)
             if bounds[code + 1] > bounds[code]]
    back = np.empty(len(country), dtype=np.int64)
    back[order] = np.arange(len(country))  # rows were grouped by country; put them back in the caller's order
    return pa.concat_arrays(parts).take(pa.array(back)) if parts else pa.array([], pa.string())


def _ibans(cc: str, n: int, rng: np.random.Generator) -> pa.Array:
    spec = bank_registry.get_iban_spec(cc)
    banks = _banks(cc)
    bank = banks[choose(1.0 / np.arange(1, len(banks) + 1) ** 1.1, n, rng)]  # a few big banks hold most accounts
    bban = _bban(cc, spec, bank, rng)
    while True:  # two accounts that drew the same number: only those draw again
        repeated = np.flatnonzero(pd.Series(bban.view(f"S{bban.shape[1]}").ravel()).duplicated().to_numpy())
        if not len(repeated):
            break
        bban[repeated] = _bban(cc, spec, bank[repeated], rng)
    country = np.frombuffer(cc.encode(), dtype=np.uint8)
    check = 98 - _mod97(np.hstack([bban, np.tile(np.append(country, [ord("0")] * 2), (n, 1))]).astype(np.int64))
    iban = np.ascontiguousarray(np.hstack([np.tile(country, (n, 1)), _symbols(check, 2), bban]))
    return pa.array(iban.view(f"S{iban.shape[1]}").ravel()).cast(pa.string())


def _bban(cc: str, spec, bank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The national part, as rows of ASCII codes: bank code, branch, account digits and national check digits
    where the country has them."""
    n, length = len(bank), spec.bban_length
    pos = spec.positions
    C = bank_registry.Component
    bank_start, bank_end = pos[C.BANK_CODE].start, pos[C.BANK_CODE].end
    chars = np.zeros((n, length), dtype=np.int64) + ord("0")
    chars[:, bank_start:bank_end] = np.array(bank.astype(f"S{bank_end - bank_start}").view(np.uint8)).reshape(n, -1)
    free = np.ones(length, bool)
    free[bank_start:bank_end] = False
    check = pos[C.NATIONAL_CHECKSUM_DIGITS]
    free[check.start:check.end] = False
    chars[:, free] = ord("0") + rng.integers(0, 10, (n, int(free.sum())))
    digits = chars - ord("0")
    if cc == "BE":  # the last two digits: the first ten mod 97 (97 for 0)
        value = (digits[:, :10] * 10 ** np.arange(9, -1, -1)).sum(axis=1) % 97
        chars[:, 10:12] = _symbols(np.where(value == 0, 97, value), 2)
    elif cc == "FR":  # RIB key over bank, branch and account
        def number(a, b):
            return (digits[:, a:b] * 10 ** np.arange(b - a - 1, -1, -1)).sum(axis=1)
        key = 97 - (89 * number(0, 5) + 15 * number(5, 10) + 3 * number(10, 21)) % 97
        chars[:, 21:23] = _symbols(key, 2)
    elif cc == "ES":  # two control digits: bank+branch, then account (weights 1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
        weights = np.array([1, 2, 4, 8, 5, 10, 9, 7, 3, 6])

        def control(values, w):
            d = 11 - (values * w).sum(axis=1) % 11
            return np.where(d == 11, 0, np.where(d == 10, 1, d))
        chars[:, 8] = ord("0") + control(digits[:, 0:8], weights[2:])
        chars[:, 9] = ord("0") + control(digits[:, 10:20], weights)
    elif cc == "IT":  # CIN letter over ABI, CAB and account
        body = digits[:, 1:23]
        odd = _ITALY_ODD[body[:, 0::2]].sum(axis=1)
        chars[:, 0] = ord("A") + (odd + body[:, 1::2].sum(axis=1)) % 26
    elif cc == "PT":  # NIB check digits
        value = np.zeros(n, dtype=np.int64)
        for column in digits[:, :19].T:
            value = (value * 10 + column) % 97
        chars[:, 19:21] = _symbols(98 - (value * 100) % 97, 2)
    return np.ascontiguousarray(chars.astype(np.uint8))


# -- devices ----------------------------------------------------------------------------------------------
def _ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp() * 1000)


def _pick_released(first_seen: np.ndarray, table: tuple[tuple[str, dt.date, float], ...], rng: np.random.Generator) -> np.ndarray:
    """For each device, one entry of ``table`` released by its first sighting (weights among those), as an index.

    A device first seen before every entry gets the oldest (tables reach back far enough for the horizons
    graphgen builds; a test checks none is used before its release)."""
    released = np.array([_ms(day) for _, day, _ in table])
    weight = np.array([w for _, _, w in table])
    eligible = released[None, :] <= first_seen[:, None]
    eligible[~eligible.any(axis=1), 0] = True
    cdf = np.cumsum(eligible * weight, axis=1)
    return (cdf < rng.random(len(first_seen))[:, None] * cdf[:, -1:]).sum(axis=1)


def device_strings(device_type: np.ndarray, os_code: np.ndarray, first_seen: np.ndarray, snapshot: int,
                   rng: np.random.Generator) -> dict[str, pa.Array]:
    """Fingerprint, OS version, model and user agent of devices, consistent with each other and with time."""
    n = len(device_type)
    version, model, agent = (np.empty(n, dtype=object) for _ in range(3))
    for o, os_name in enumerate(vocab.OPERATING_SYSTEMS):
        for t, type_name in enumerate(vocab.DEVICE_TYPES):
            rows = np.flatnonzero((os_code == o) & (device_type == t))
            if not len(rows):
                continue
            models = locales.MODELS[(os_name, type_name)]
            versions = locales.OS_VERSIONS[os_name]
            v = _pick_released(first_seen[rows], versions, rng)
            m = _pick_released(first_seen[rows], models, rng)
            browsers = locales.BROWSERS[os_name]
            b = choose(np.array([w for _, w in browsers]), len(rows), rng)
            lag = rng.integers(0, 4, len(rows))  # majors behind the newest at the snapshot
            version[rows] = np.array([x for x, _, _ in versions])[v]
            model[rows] = np.array([x for x, _, _ in models])[m]
            # One user agent per distinct (version, model, browser, lag), packed into one integer key.
            key = ((v.astype(np.int64) * len(models) + m) * len(browsers) + b) * 4 + lag
            combos, which = np.unique(key, return_inverse=True)
            rest, cl = np.divmod(combos, 4)
            rest, cb = np.divmod(rest, len(browsers))
            cv, cm = np.divmod(rest, len(models))
            agents = np.array([_user_agent(os_name, versions[x][0], models[y][0], browsers[z][0], snapshot, int(w))
                               for x, y, z, w in zip(cv, cm, cb, cl)], dtype=object)
            agent[rows] = agents[which]
    fingerprint = _fixed_width(rng.integers(0, 2**62, n), 16, HEXADECIMAL)
    return {"fingerprint": fingerprint, "os_version": pa.array(version, pa.string()), "model": pa.array(model, pa.string()),
            "user_agent": pa.array(agent, pa.string())}


@cache
def _user_agent(os_name: str, version: str, model: str, browser: str, snapshot: int, lag: int) -> str:
    day = dt.datetime.fromtimestamp(snapshot / 1000, dt.timezone.utc).date()
    chrome = 120 + (day - locales.CHROME_120).days // locales.BROWSER_RELEASE_DAYS - lag
    firefox = 121 + (day - locales.FIREFOX_121).days // locales.BROWSER_RELEASE_DAYS - lag
    under = version.replace(".", "_")
    webkit = "AppleWebKit/537.36 (KHTML, like Gecko)"
    if browser == "app":
        device = "iPhone" if os_name == "iOS" else "iPad" if os_name == "iPadOS" else model
        return f"{locales.BANK_APP}/{7 + lag}.{(chrome * 7) % 10}.{lag} ({device}; {os_name} {version})"
    if os_name in ("iOS", "iPadOS"):
        platform = "iPhone; CPU iPhone OS" if os_name == "iOS" else "iPad; CPU OS"
        tail = (f"Version/{version} Mobile/15E148 Safari/604.1" if browser == "Safari"
                else f"CriOS/{chrome}.0.6778.73 Mobile/15E148 Safari/604.1")
        return f"Mozilla/5.0 ({platform} {under} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) {tail}"
    if os_name == "Android":
        mobile = "" if "SM-X" in model or "TB-" in model else " Mobile"
        if browser == "Firefox":
            return f"Mozilla/5.0 (Android {version};{mobile.strip() or 'Tablet'}; rv:{firefox}.0) Gecko/{firefox}.0 Firefox/{firefox}.0"
        samsung = f"SamsungBrowser/{25 + (chrome - 120) // 8}.0 " if browser == "SamsungBrowser" else ""
        return f"Mozilla/5.0 (Linux; Android {version}; {model}) {webkit} {samsung}Chrome/{chrome}.0.0.0{mobile} Safari/537.36"
    platform = {"Windows": "Windows NT 10.0; Win64; x64", "macOS": "Macintosh; Intel Mac OS X 10_15_7",
                "Linux": "X11; Ubuntu; Linux x86_64" if browser == "Firefox" else "X11; Linux x86_64"}[os_name]
    if browser == "Firefox":
        return f"Mozilla/5.0 ({platform}; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0"
    if browser == "Safari":
        return f"Mozilla/5.0 ({platform}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{version.split('.')[0]}.0 Safari/605.1.15"
    edge = f" Edg/{chrome}.0.0.0" if browser == "Edge" else ""
    return f"Mozilla/5.0 ({platform}) {webkit} Chrome/{chrome}.0.0.0 Safari/537.36{edge}"


# -- IPs --------------------------------------------------------------------------------------------------
_BLOCKS_PER_GROUP = 256  # /16 blocks reserved for each (country, network type): 16.7M addresses


@cache
def _address_blocks() -> np.ndarray:
    """Every public /16 block (first two octets as one number), in a fixed shuffled order."""
    first, second = np.divmod(np.arange(1 << 16), 256)
    private = ((first == 0) | (first == 10) | (first == 127) | (first >= 224) | ((first == 100) & (second >= 64) & (second < 128))
               | ((first == 169) & (second == 254)) | ((first == 172) & (second >= 16) & (second < 32))
               | ((first == 192) & (second == 168)) | ((first == 198) & (second >= 18) & (second < 20)))
    blocks = np.flatnonzero(~private)
    return np.random.default_rng(POOL_SEED).permutation(blocks)


def ip_addresses(connection: np.ndarray, country: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Unique IPv4 addresses from the block of each IP's (country, network type), dotted."""
    blocks = _address_blocks()
    group = country.astype(np.int64) * len(vocab.CONNECTION_TYPES) + connection.astype(np.int64)
    order = np.argsort(group, kind="stable")
    rank = np.empty(len(group), dtype=np.int64)
    sorted_group = group[order]
    starts = np.searchsorted(sorted_group, sorted_group, side="left")
    rank[order] = np.arange(len(group)) - starts
    # Spread each group's addresses over its blocks: a random bijection of the group's address space.
    space = _BLOCKS_PER_GROUP << 16
    salt = int(rng.integers(space))
    host = (rank * 2_654_435_761 + salt) % space
    prefix = blocks[group * _BLOCKS_PER_GROUP + (host >> 16)]
    address = (prefix << 16) | (host & 0xFFFF)
    octets = [pc.cast(pa.array((address >> shift) & 255), pa.string()) for shift in (24, 16, 8, 0)]
    return _join(*octets, sep=".")
