"""Per-country and per-platform facts the identities are drawn from (declarations only).

Word lists (names, streets, cities, postcodes) come from Faker's locales and phone formats from
``phonenumbers``' metadata; bank codes and IBAN layouts from ``schwifty``'s registry. What those libraries
do not hold is here: which Faker locale each country uses, its e-mail providers and company forms, and the
operating systems, browsers and device models with their release dates (a device never runs a version
released after it was first seen).
"""

from __future__ import annotations

import datetime as dt

FAKER_LOCALE = {
    "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "ES": "es_ES", "IT": "it_IT", "NL": "nl_NL", "PL": "pl_PL",
    "IE": "en_IE", "SE": "sv_SE", "PT": "pt_PT", "RO": "ro_RO", "BE": "nl_BE",
}
NUMBER_FIRST_ADDRESSES = {"GB", "IE", "FR"}  # "12 High Street"; elsewhere "Hauptstraße 12"

# E-mail providers people use, per country, with weights; the global ones are shared by every country.
GLOBAL_EMAIL = {"gmail.com": 40, "outlook.com": 12, "hotmail.com": 8, "icloud.com": 8, "yahoo.com": 4, "proton.me": 2}
LOCAL_EMAIL = {
    "GB": {"btinternet.com": 6, "sky.com": 4, "yahoo.co.uk": 5}, "DE": {"gmx.de": 14, "web.de": 14, "t-online.de": 8},
    "FR": {"orange.fr": 12, "free.fr": 8, "laposte.net": 5, "sfr.fr": 5}, "ES": {"telefonica.net": 5, "yahoo.es": 4},
    "IT": {"libero.it": 12, "virgilio.it": 6, "tiscali.it": 3}, "NL": {"ziggo.nl": 6, "kpnmail.nl": 5, "home.nl": 3},
    "PL": {"wp.pl": 12, "onet.pl": 10, "o2.pl": 6, "interia.pl": 5}, "IE": {"eircom.net": 6},
    "SE": {"telia.com": 6, "spray.se": 2}, "PT": {"sapo.pt": 10, "clix.pt": 3}, "RO": {"yahoo.ro": 8},
    "BE": {"skynet.be": 6, "telenet.be": 8},
}
COMPANY_FORMS = {
    "GB": ("Ltd", "PLC", "LLP"), "DE": ("GmbH", "AG", "KG"), "FR": ("SARL", "SAS", "SA"), "ES": ("SL", "SA"),
    "IT": ("Srl", "SpA"), "NL": ("BV", "NV"), "PL": ("sp. z o.o.", "SA"), "IE": ("Ltd", "DAC"), "SE": ("AB", "HB"),
    "PT": ("Lda", "SA"), "RO": ("SRL", "SA"), "BE": ("BV", "NV", "SRL"),
}
COMPANY_TLD = {"GB": "co.uk", "IE": "ie", "DE": "de", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl", "PL": "pl",
               "SE": "se", "PT": "pt", "RO": "ro", "BE": "be"}


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Operating system versions: (version, release date, weight among devices that could run it).
OS_VERSIONS: dict[str, tuple[tuple[str, dt.date, float], ...]] = {
    "Android": (("9", _d("2018-08-06"), 1), ("10", _d("2019-09-03"), 2), ("11", _d("2020-09-08"), 3),
                ("12", _d("2021-10-04"), 4), ("13", _d("2022-08-15"), 6), ("14", _d("2023-10-04"), 8),
                ("15", _d("2024-10-15"), 8), ("16", _d("2025-06-10"), 5)),
    "iOS": (("14.8", _d("2021-09-13"), 1), ("15.7", _d("2022-09-12"), 2), ("16.7", _d("2023-09-21"), 3),
            ("17.6", _d("2024-07-29"), 6), ("18.5", _d("2025-05-12"), 8), ("26.1", _d("2025-11-03"), 6)),
    "iPadOS": (("15.7", _d("2022-09-12"), 2), ("16.7", _d("2023-09-21"), 3), ("17.6", _d("2024-07-29"), 5),
               ("18.5", _d("2025-05-12"), 7), ("26.1", _d("2025-11-03"), 4)),
    "Windows": (("10", _d("2015-07-29"), 4), ("11", _d("2021-10-05"), 6)),
    "macOS": (("12.7", _d("2023-09-21"), 1), ("13.7", _d("2024-09-16"), 2), ("14.7", _d("2024-09-16"), 4),
              ("15.5", _d("2025-05-12"), 6), ("26.1", _d("2025-11-03"), 3)),
    "Linux": (("Ubuntu 20.04", _d("2020-04-23"), 1), ("Ubuntu 22.04", _d("2022-04-21"), 3),
              ("Ubuntu 24.04", _d("2024-04-25"), 4)),
}
# Device models per (OS, device type), with release dates.
MODELS: dict[tuple[str, str], tuple[tuple[str, dt.date, float], ...]] = {
    ("Android", "mobile"): (("SM-G991B", _d("2021-01-29"), 2), ("SM-S901B", _d("2022-02-25"), 3),
                            ("SM-S911B", _d("2023-02-17"), 4), ("SM-S921B", _d("2024-01-31"), 5),
                            ("SM-A546B", _d("2023-03-24"), 5), ("SM-A556B", _d("2024-03-20"), 5),
                            ("Pixel 7", _d("2022-10-13"), 2), ("Pixel 8", _d("2023-10-12"), 2),
                            ("Pixel 9", _d("2024-08-22"), 2), ("23117RA68G", _d("2024-01-15"), 3)),
    ("Android", "tablet"): (("SM-X200", _d("2022-01-17"), 3), ("SM-X710", _d("2023-10-06"), 2),
                            ("Lenovo TB-X606F", _d("2020-05-20"), 2)),
    ("iOS", "mobile"): (("iPhone 11", _d("2019-09-20"), 2), ("iPhone 12", _d("2020-10-23"), 3),
                        ("iPhone 13", _d("2021-09-24"), 4), ("iPhone 14", _d("2022-09-16"), 4),
                        ("iPhone 15", _d("2023-09-22"), 5), ("iPhone 16", _d("2024-09-20"), 5),
                        ("iPhone 17", _d("2025-09-19"), 3)),
    ("iPadOS", "tablet"): (("iPad (9th generation)", _d("2021-09-24"), 3), ("iPad (10th generation)", _d("2022-10-26"), 4),
                           ("iPad Air (M2)", _d("2024-05-15"), 2)),
    ("Windows", "desktop"): (("PC", _d("2000-01-01"), 1),),
    ("macOS", "desktop"): (("MacBook Air (M1)", _d("2020-11-17"), 3), ("MacBook Air (M2)", _d("2022-07-15"), 3),
                           ("MacBook Pro (M3)", _d("2023-11-07"), 2), ("iMac (M3)", _d("2023-11-07"), 1)),
    ("Linux", "desktop"): (("PC", _d("2000-01-01"), 1),),
}
# Browsers per OS with their shares; "app" is the bank's own app (phones and tablets).
BROWSERS: dict[str, tuple[tuple[str, float], ...]] = {
    "Android": (("app", 0.55), ("Chrome", 0.32), ("SamsungBrowser", 0.09), ("Firefox", 0.04)),
    "iOS": (("app", 0.6), ("Safari", 0.34), ("CriOS", 0.06)),
    "iPadOS": (("app", 0.4), ("Safari", 0.55), ("CriOS", 0.05)),
    "Windows": (("Chrome", 0.64), ("Edge", 0.27), ("Firefox", 0.09)),
    "macOS": (("Safari", 0.5), ("Chrome", 0.44), ("Firefox", 0.06)),
    "Linux": (("Firefox", 0.5), ("Chrome", 0.5)),
}
# Chrome's major version 120 shipped on this date and a new major follows every four weeks (Edge the same);
# Firefox likewise from 121. People run the current major or one of the few before it.
CHROME_120 = _d("2023-12-05")
FIREFOX_121 = _d("2023-12-19")
BROWSER_RELEASE_DAYS = 28
BANK_APP = "GraphBank"  # the fictional bank whose customers these are
