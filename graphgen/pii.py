"""Synthetic PII-like strings, built vectorised once the graph is grown.

They are computed from published ids, random draws and public attributes only (country, family), never
from anything that knows about fraud, so names, emails, numbers and addresses cannot encode the label.
Uniqueness where it matters (emails, account numbers, IP addresses) comes from a bijective scramble of
the id, which carries no order because the ids themselves are a random permutation.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphgen import vocab

_SUFFIXES = ("Ltd", "GmbH", "SARL", "BV", "SpA", "Trading", "Foods", "Logistics", "Services", "Energy")
_BANK_CODES = ("BARC", "DEUT", "BNPA", "CAIX", "UNCR", "INGB", "PKOP", "AIBK", "NDEA", "CGDI", "BTRL", "KRED")


def _clean(names: tuple[str, ...]) -> pa.Array:
    return pa.array([re.sub(r"[^a-z]", "", n.lower()) for n in names])


_FIRST, _LAST = pa.array(vocab.FIRST_NAMES), pa.array(vocab.LAST_NAMES)
_FIRST_CLEAN, _LAST_CLEAN = _clean(vocab.FIRST_NAMES), _clean(vocab.LAST_NAMES)


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _fixed_width(values: np.ndarray, width: int, alphabet: bytes) -> pa.Array:
    """Non-negative integers written in the given alphabet's base, zero-padded to ``width`` characters."""
    base = np.uint64(len(alphabet))
    symbols = np.frombuffer(alphabet, dtype=np.uint8)
    rest = np.asarray(values, dtype=np.uint64).copy()
    chars = np.empty((len(rest), width), dtype=np.uint8)
    for position in range(width - 1, -1, -1):  # one pass per character position, not per value
        rest, digit = np.divmod(rest, base)
        chars[:, position] = symbols[digit]
    return pa.array(chars.view(f"S{width}").ravel()).cast(pa.string())


def _scramble(ids: np.ndarray, modulus: int, multiplier: int, salt: int) -> np.ndarray:
    """A bijection of ``[0, modulus)`` (``multiplier`` coprime to ``modulus``), so results are unique."""
    ids = np.asarray(ids, dtype=np.uint64)
    return ((ids * np.uint64(multiplier) + np.uint64(salt)) % np.uint64(modulus)).astype(np.int64)


def user_strings(ids: np.ndarray, is_business: np.ndarray, family: np.ndarray, country: np.ndarray,
                 rng: np.random.Generator) -> dict[str, pa.Array]:
    """Name, email and phone of users; members of one family share a surname."""
    n = len(ids)
    first = rng.integers(0, len(vocab.FIRST_NAMES), n)
    family_last = rng.integers(0, len(vocab.LAST_NAMES), max(int(family.max(initial=-1)) + 1, 1))
    last = np.where(family >= 0, family_last[np.maximum(family, 0)], rng.integers(0, len(vocab.LAST_NAMES), n))
    suffix = pa.array(_SUFFIXES).take(pa.array(rng.integers(0, len(_SUFFIXES), n)))
    person_name = _join(_FIRST.take(pa.array(first)), _LAST.take(pa.array(last)), sep=" ")
    business_name = _join(_LAST.take(pa.array(last)), suffix, sep=" ")
    name = pc.if_else(pa.array(is_business), business_name, person_name)

    code = _fixed_width(_scramble(ids, 36**5, 1_000_003, int(rng.integers(36**5))), 5, b"0123456789abcdefghijklmnopqrstuvwxyz")
    domain = pa.array(vocab.EMAIL_DOMAINS).take(pa.array(rng.choice(len(vocab.EMAIL_DOMAINS), n, p=vocab.EMAIL_DOMAIN_WEIGHTS)))
    person_local = _join(_FIRST_CLEAN.take(pa.array(first)), _LAST_CLEAN.take(pa.array(last)), code, sep=".")
    business_local = _join(pa.array(np.full(n, "accounts")), code, sep=".")
    business_domain = _join(_LAST_CLEAN.take(pa.array(last)), pa.array(np.full(n, "com")), sep=".")
    email = pc.if_else(pa.array(is_business), _join(business_local, business_domain, sep="@"),
                       _join(person_local, domain, sep="@"))

    dial = pa.array(["+" + c[1] for c in vocab.COUNTRIES]).take(pa.array(country))
    phone = _join(dial, _fixed_width(rng.integers(0, 10**9, n), 9, b"0123456789"))
    return {"name": name, "email": email, "phone": phone}


def _user_agent_table() -> pa.Array:
    """Every (os, browser, version) user agent, indexed ``(os * n_browsers + browser) * 31 + version - 110``."""
    platform = {
        "Android": "Linux; Android 14; Mobile", "iOS": "iPhone; CPU iPhone OS 17_5 like Mac OS X",
        "Windows": "Windows NT 10.0; Win64; x64", "macOS": "Macintosh; Intel Mac OS X 14_5",
        "Linux": "X11; Linux x86_64", "iPadOS": "iPad; CPU OS 17_5 like Mac OS X",
    }
    agents = []
    for os_name in vocab.OPERATING_SYSTEMS:
        for browser in vocab.BROWSERS:
            for version in range(110, 141):
                agents.append(f"Mozilla/5.0 ({platform[os_name]}) AppleWebKit/537.36 (KHTML, like Gecko) "
                              f"{browser}/{version}.0")
    return pa.array(agents)


_USER_AGENTS = _user_agent_table()


def device_strings(os_code: np.ndarray, browser: np.ndarray, version: np.ndarray,
                   rng: np.random.Generator) -> dict[str, pa.Array]:
    """Fingerprint (16 hex digits) and user agent of devices."""
    n = len(os_code)
    fingerprint = _fixed_width(rng.integers(0, 2**62, n), 16, b"0123456789abcdef")
    index = (os_code.astype(np.int64) * len(vocab.BROWSERS) + browser) * 31 + (version - 110)
    return {"fingerprint": fingerprint, "user_agent": _USER_AGENTS.take(pa.array(index))}


def account_numbers(ids: np.ndarray, country: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """IBAN-shaped numbers: owner's country, check digits, a bank code and a unique 12-digit number."""
    n = len(ids)
    cc = pa.array(vocab.COUNTRY_CODES).take(pa.array(country))
    check = _fixed_width(rng.integers(2, 99, n), 2, b"0123456789")
    bank = pa.array(_BANK_CODES).take(pa.array(rng.integers(0, len(_BANK_CODES), n)))
    number = _fixed_width(_scramble(ids, 10**12, 7_919_000_003, int(rng.integers(10**12))), 12, b"0123456789")
    return _join(cc, check, bank, number)


def ip_addresses(ids: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Unique public IPv4 addresses in 128.0.0.0/3, dotted."""
    address = 0x80000000 + _scramble(ids, 2**29, 2_654_435_761, int(rng.integers(2**29)))
    octets = [pc.cast(pa.array((address >> shift) & 255), pa.string()) for shift in (24, 16, 8, 0)]
    return _join(*octets, sep=".")
