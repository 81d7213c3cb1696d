"""The demo accounts: one per role, with a known password and, for staff, a known TOTP key."""

from cqpt_portal.accounts.enums import Role

DEMO_PASSWORD = "cqpt-demo-2026!"  # noqa: S105 - public demo password, documented in the README
# Base32 "CQPTDEMO..." so that anyone can add it to an authenticator app.
DEMO_TOTP_KEY_HEX = "141ef31a4a31ce8c14f1e11918a1a2b6c64e5e9d"

DEMO_ACCOUNTS = [
    # email, role, first name, last name, company SIRET, organisation
    ("candidat@demo.cqpt.fr", Role.CANDIDATE, "Camille", "Martin", None, None),
    ("employeur@demo.cqpt.fr", Role.EMPLOYER, "Étienne", "Bernard", "73282932000074", None),
    ("auvicom@demo.cqpt.fr", Role.AUVICOM_REVIEWER, "Alice", "Durand", None, None),
    ("financement@demo.cqpt.fr", Role.AUVICOM_FUNDING, "Farid", "Petit", None, None),
    ("evaluateur@demo.cqpt.fr", Role.EVALUATOR, "Élodie", "Robert", None, "Institut de Certification Télécom"),
    (
        "responsable-oe@demo.cqpt.fr",
        Role.EVALUATOR_MANAGER,
        "Olivier",
        "Richard",
        None,
        "Institut de Certification Télécom",
    ),
    ("cpne@demo.cqpt.fr", Role.CPNE_MEMBER, "Claire", "Dubois", None, None),
    ("secretaire-cpne@demo.cqpt.fr", Role.CPNE_SECRETARY, "Sébastien", "Moreau", None, None),
    ("admin@demo.cqpt.fr", Role.ADMIN, "Anne", "Laurent", None, None),
]
