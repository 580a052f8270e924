"""Fixed vocabularies for categorical columns and synthetic PII.

Categorical columns are carried as small integer codes into these tuples while the graph is grown and
decoded to strings only when the tables are published, so that string work happens once, vectorised.
"""

from __future__ import annotations

import numpy as np

# (ISO code, dialling code, share of users)
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("GB", "44", 0.18), ("DE", "49", 0.16), ("FR", "33", 0.13), ("ES", "34", 0.09),
    ("IT", "39", 0.09), ("NL", "31", 0.07), ("PL", "48", 0.06), ("IE", "353", 0.04),
    ("SE", "46", 0.04), ("PT", "351", 0.04), ("RO", "40", 0.04), ("BE", "32", 0.06),
)
COUNTRY_CODES = tuple(c[0] for c in COUNTRIES)
COUNTRY_WEIGHTS = np.array([c[2] for c in COUNTRIES]) / sum(c[2] for c in COUNTRIES)

SEGMENTS = ("retail", "premium", "student", "business")
SEGMENT_WEIGHTS_PERSON = np.array([0.80, 0.10, 0.10, 0.0])

DEVICE_TYPES = ("mobile", "desktop", "tablet")
DEVICE_TYPE_WEIGHTS = np.array([0.62, 0.26, 0.12])
# Operating systems per device type, with shares.
OS_BY_TYPE: dict[str, tuple[tuple[str, float], ...]] = {
    "mobile": (("Android", 0.58), ("iOS", 0.42)),
    "desktop": (("Windows", 0.68), ("macOS", 0.22), ("Linux", 0.10)),
    "tablet": (("iPadOS", 0.55), ("Android", 0.45)),
}
OPERATING_SYSTEMS = ("Android", "iOS", "Windows", "macOS", "Linux", "iPadOS")
BROWSERS = ("Chrome", "Safari", "Firefox", "Edge", "SamsungBrowser", "BankApp")

ACCOUNT_TYPES = ("checking", "savings", "credit_card", "business")
CHANNELS = ("transfer", "standing_order", "direct_debit", "card", "p2p", "instant", "wire")
CONNECTION_TYPES = ("residential", "mobile", "business", "hosting")
# What a customer does in online banking besides paying: log in, change an identity detail, add a payee.
EVENT_TYPES = ("login", "email_change", "phone_change", "address_change", "payee_added")
# A payment the bank could not make (funds short, a mandate cancelled) is returned: it moves no money.
STATUSES = ("completed", "returned")

# Working codes of the categorical columns above, by name.
CHANNEL = {name: i for i, name in enumerate(CHANNELS)}
MOBILE, DESKTOP, TABLET = (DEVICE_TYPES.index(t) for t in ("mobile", "desktop", "tablet"))
RESIDENTIAL, MOBILE_NET, BUSINESS_NET, HOSTING = (CONNECTION_TYPES.index(t) for t in CONNECTION_TYPES)
CHECKING, SAVINGS, CREDIT_CARD, BUSINESS_ACCOUNT = (ACCOUNT_TYPES.index(t) for t in ACCOUNT_TYPES)
EVENT = {name: i for i, name in enumerate(EVENT_TYPES)}
COMPLETED, RETURNED = range(len(STATUSES))

EMAIL_DOMAINS = (
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.de", "web.de",
    "orange.fr", "free.fr", "libero.it", "wp.pl", "hotmail.com", "live.com", "mail.com",
)
EMAIL_DOMAIN_WEIGHTS = np.array([30, 14, 8, 9, 3, 5, 4, 4, 3, 3, 3, 8, 3, 3], dtype=float)
EMAIL_DOMAIN_WEIGHTS /= EMAIL_DOMAIN_WEIGHTS.sum()

FIRST_NAMES = (
    "Aaliyah", "Adam", "Adrian", "Agnieszka", "Aidan", "Aisha", "Alba", "Alejandro", "Alessandro",
    "Alexander", "Alice", "Alicia", "Amelia", "Ana", "Andrea", "Andrei", "Anna", "Anton", "Aoife",
    "Arthur", "Astrid", "Beatriz", "Ben", "Bianca", "Bogdan", "Camille", "Carla", "Carlos", "Charlotte",
    "Chiara", "Chloe", "Ciaran", "Clara", "Conor", "Cristina", "Daan", "Daniel", "David", "Diego",
    "Dominik", "Elena", "Elias", "Elif", "Elin", "Ella", "Emil", "Emily", "Emma", "Erik", "Eva",
    "Fatima", "Felix", "Finn", "Francesca", "Francisco", "Freya", "Gabriel", "Georgia", "Giulia",
    "Grace", "Hana", "Hannah", "Hugo", "Ida", "Ines", "Isabel", "Isla", "Ivan", "Jack", "Jakub",
    "James", "Jan", "Javier", "Jonas", "Julia", "Julien", "Kacper", "Karin", "Katarzyna", "Lars",
    "Laura", "Lea", "Leo", "Leon", "Lina", "Lorenzo", "Louis", "Lucas", "Lucia", "Luka", "Maja",
    "Manon", "Marco", "Maria", "Mariana", "Marie", "Mateo", "Matteo", "Maximilian", "Mia", "Mihai",
    "Mohammed", "Nadia", "Niamh", "Nils", "Noah", "Nora", "Oliver", "Olivia", "Omar", "Oscar",
    "Pablo", "Paula", "Pedro", "Piotr", "Raquel", "Rosa", "Ruben", "Ryan", "Saoirse", "Sara",
    "Sean", "Sofia", "Sophie", "Stefan", "Tiago", "Thomas", "Valentina", "Victor", "Wiktoria",
    "William", "Yasmin", "Zofia", "Zoe",
)
LAST_NAMES = (
    "Andersson", "Bakker", "Barbu", "Bernard", "Bianchi", "Brennan", "Brown", "Byrne", "Castro",
    "Colombo", "Costa", "Curran", "Davies", "De Jong", "Dubois", "Dumitru", "Durand", "Evans",
    "Fernandes", "Fernandez", "Ferrari", "Fischer", "Garcia", "Gomez", "Gonzalez", "Gustafsson",
    "Hansen", "Hoffmann", "Hughes", "Jansen", "Johansson", "Johnson", "Jones", "Kaminski", "Kelly",
    "Klein", "Koch", "Kowalski", "Kowalczyk", "Lambert", "Larsson", "Laurent", "Lefebvre", "Lewandowski",
    "Lopez", "Lungu", "Maes", "Martin", "Martinez", "Meyer", "Moreau", "Muller", "Murphy", "Nilsson",
    "Nowak", "O'Brien", "Oliveira", "Pereira", "Peeters", "Perez", "Petit", "Popescu", "Rodrigues",
    "Rodriguez", "Romano", "Rossi", "Ruiz", "Russo", "Sanchez", "Santos", "Schmidt", "Schneider",
    "Schulz", "Silva", "Smith", "Stan", "Svensson", "Taylor", "Thomas", "Van Dijk", "Visser",
    "Wagner", "Walsh", "Weber", "Williams", "Wilson", "Wisniewski", "Wojcik", "Wright", "Zielinski",
)
