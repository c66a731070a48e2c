"""Generated clients for the portfolio's tests and benchmark: realistic profiles of US regulated firms.

Six kinds of client over the six regulatory catalogs (clinics, dental groups that take cards,
CPA firms, lenders, credit unions, law firms), each with its people, its managed-IT and security
providers drawn from one shared pool (so that one provider serves many clients, its name now and
then spelt differently), agreements with some business associate agreements missing, oversight
reviews of every age, evidence, accepted risks and remediation entries on the findings these
profiles are known to raise (their ids come from the rules' own `finding_id`).

    python bench/clients.py DIR [COUNT]     writes COUNT (default 100) profiles into DIR
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from ctrlmap.assessment.gaps.registry import finding_id
from ctrlmap.load.library import Library

AS_OF = dt.date(2026, 11, 28)

KINDS: tuple[tuple[str, str, tuple[str, ...], dict[str, Any]], ...] = (
    (
        "Family Clinic",
        "healthcare",
        ("hipaa-security", "hipaa-breach"),
        {"hipaa": ["covered-entity"]},
    ),
    (
        "Dental Group",
        "healthcare",
        ("hipaa-security", "hipaa-breach", "pci-dss-4"),
        {"hipaa": ["covered-entity"], "pci": ["merchant"]},
    ),
    ("CPAs", "financial", ("glba-safeguards",), {}),
    ("Mortgage", "financial", ("glba-safeguards", "nydfs-500", "pci-dss-4"), {"nydfs": "standard"}),
    ("Community Credit Union", "financial", ("glba-safeguards", "nydfs-500"), {}),
    ("LLP", "legal", ("aba-model-rules",), {}),
)
"""(name suffix, sector, frameworks, applicability) of each kind of client."""

PLACES = (
    "Riverside", "Hudson", "Maple", "Cedar", "Granite", "Lakeshore", "Harbor", "Summit", "Prairie",
    "Bayview", "Ironwood", "Willow", "Northgate", "Pinecrest", "Stonebridge", "Oak Hollow",
)  # fmt: skip
SURNAMES = (
    "Ortiz", "Lee", "Patel", "Chen", "Alvarez", "Brooks", "Nguyen", "Kowalski", "Reyes", "Okafor",
    "Schmidt", "Rossi", "Haddad", "Kim", "Walsh", "Dubois",
)  # fmt: skip
GIVEN = ("Dana", "Sam", "Maria", "Raj", "Kim", "Lee", "Ana", "Tom", "Priya", "Jon", "Eve", "Ola")

MSPS = (
    "Harbor Managed IT", "Coastal IT Partners", "Keystone Managed Services", "Beacon Street IT",
    "LedgerGuard IT", "Northdesk Legal IT", "Summit Technology Group", "BlueRidge Networks",
)  # fmt: skip
SECURITY = ("Sentinel Security Operations", "Watchtower MDR", "Keystone Security Partners")
ASSESSORS = ("Tristate Security Assessors", "Ridgeline Assurance")
CLOUD = ("ChartCloud EHR", "VaultBox Offsite Backup", "Clio Cloud Practice", "LoanStream LOS")

MSP_FUNCTIONS = (
    "help-desk", "patch-management", "endpoint-management", "server-management",
    "network-administration", "backup-recovery", "vulnerability-management", "asset-management",
    "change-management", "access-management", "strategic-planning", "on-site-support",
)  # fmt: skip
INTERNAL_FUNCTIONS = (
    "governance", "policy-documentation", "workforce-training", "vendor-management",
    "compliance-reporting", "regulatory-notification", "risk-assessment", "physical-security",
    "on-site-support", "access-management", "incident-response", "help-desk",
)  # fmt: skip
ROLE_OF = {
    "hipaa-security": "security-official",
    "glba-safeguards": "qualified-individual",
    "nydfs-500": "ciso",
    "pci-dss-4": "pci-executive",
    "aba-model-rules": "supervising-lawyer",
}
"""The role each framework requires the organization to designate."""
OUTSOURCEABLE = {"security-official", "qualified-individual", "ciso"}


def spelt(name: str, rng: random.Random) -> str:
    """A provider's name as one client writes it: now and then in other case or spacing."""
    roll = rng.random()
    if roll < 0.05:
        return name.upper()
    if roll < 0.10:
        return name.replace(" ", "  ", 1)
    return name


def _day(rng: random.Random, as_of: dt.date, low: int, high: int) -> str:
    return (as_of - dt.timedelta(days=rng.randint(low, high))).isoformat()


def _evidence(
    lib: Library, frameworks: Sequence[str], rng: random.Random, as_of: dt.date
) -> list[dict[str, Any]]:
    items = []
    for fw in frameworks:
        controls = [c for c in lib.catalogs[fw].controls if c.status == "active" and not c.heading]
        for control in rng.sample(controls, min(len(controls), rng.randint(2, 12))):
            item: dict[str, Any] = {
                "control": f"{fw}:{control.id}",
                "reference": f"{control.citation} evidence binder, tab {rng.randint(1, 40)}",
                "reviewed": _day(rng, as_of, 5, 520),
            }
            if control.kind == "implementation-specification" and control.level == "addressable":
                item["decision"] = rng.choice(["implemented", "implemented", "alternative"])
            items.append(item)
    return items


def client_profile(
    lib: Library, n: int, rng: random.Random, as_of: dt.date = AS_OF
) -> dict[str, Any]:
    """The `n`th generated client: a profile as it would be written to a file."""
    suffix, sector, frameworks, facts = KINDS[n % len(KINDS)]
    lead = rng.choice(SURNAMES)
    name = (
        f"{lead} & {rng.choice(SURNAMES)} {suffix}"
        if sector == "legal" or suffix == "CPAs"
        else f"{rng.choice(PLACES)} {suffix}"
    ) + f" {n}"
    frameworks_ = list(frameworks)
    applicability = dict(facts)
    if sector == "legal" and rng.random() < 0.3:  # a firm with healthcare clients
        frameworks_ += ["hipaa-security", "hipaa-breach"]
        applicability["hipaa"] = ["business-associate"]
    if suffix == "CPAs":
        applicability["glba-small-institution"] = rng.random() < 0.6
    people = []
    for i in range(rng.randint(1, 5)):
        functions = rng.sample(INTERNAL_FUNCTIONS, rng.randint(2, 7))
        if i == 0:
            functions = sorted({*functions, "governance", "vendor-management"})
        people.append(
            {
                "id": f"p{i}",
                "name": f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                "role": [
                    "Managing Partner",
                    "Practice Administrator",
                    "IT Coordinator",
                    "Office Manager",
                    "Compliance Officer",
                ][i],
                "functions": functions,
                "after_hours": rng.random() < 0.3,
                **({"backup": "p0"} if i and rng.random() < 0.4 else {}),
            }
        )
    hipaa, pci = "hipaa-security" in frameworks_, "pci-dss-4" in frameworks_
    financial = sector == "financial"
    msp: dict[str, Any] = {
        "id": "msp",
        "name": spelt(rng.choice(MSPS), rng),
        "agreement": f"MSA {as_of.year - rng.randint(0, 3)}-{rng.randint(1, 12):02d}, SOW {rng.randint(1, 4)}",
        "functions": rng.sample(MSP_FUNCTIONS, rng.randint(4, 10)),
        "after_hours": rng.random() < 0.5,
        "on_site": rng.random() < 0.6,
        "last_reviewed": _day(rng, as_of, 20, 700),
    }
    providers = [msp]
    if rng.random() < 0.6:
        providers.append(
            {
                "id": "soc",
                "name": spelt(rng.choice(SECURITY), rng),
                "agreement": f"MDR agreement {as_of.year - 1}",
                "functions": ["security-monitoring", "incident-response"],
                "after_hours": True,
                **({"last_reviewed": _day(rng, as_of, 30, 500)} if rng.random() < 0.8 else {}),
            }
        )
    if hipaa and rng.random() < 0.7:
        providers.append(
            {
                "id": "cloud",
                "name": spelt(rng.choice(CLOUD[:2]), rng),
                "agreement": "Subscription terms and data protection schedule",
                "functions": ["backup-recovery", "data-protection"],
                "frameworks": ["hipaa-security", "hipaa-breach"],
                "after_hours": True,
                **({"last_reviewed": _day(rng, as_of, 60, 800)} if rng.random() < 0.5 else {}),
            }
        )
    if (pci or "nydfs-500" in frameworks_) and rng.random() < 0.6:
        providers.append(
            {
                "id": "assessor",
                "name": spelt(rng.choice(ASSESSORS), rng),
                "agreement": f"Engagement letter {as_of.year}",
                "functions": ["independent-assessment"],
                "independent": True,
                "last_reviewed": _day(rng, as_of, 30, 300),
            }
        )
    # the MSP takes what nobody else covers, but for a function or two left to fall between the chairs
    covered = {f for person in people for f in person["functions"]}
    covered |= {f for p in providers for f in p["functions"]}
    open_ = sorted(set(lib.functions) - covered - {"independent-assessment"})
    left = set(rng.sample(open_, min(len(open_), rng.choice([0, 0, 1, 1, 2, 3]))))
    msp["functions"] = sorted({*msp["functions"], *open_} - left)
    for p in providers:
        if hipaa:
            p["baa"] = rng.random() < 0.88  # some BAAs are missing
            if p["baa"] and rng.random() < 0.1:
                p["baa_expires"] = (as_of + dt.timedelta(days=rng.randint(-60, 400))).isoformat()
        if pci and (p.get("frameworks") is None):
            p["pci_acknowledgement"] = rng.random() < 0.8
        if financial:
            roll = rng.random()
            if roll < 0.75:
                p["safeguards_terms"] = True
            elif roll < 0.85:
                p["safeguards_terms"] = False
    designations: dict[str, dict[str, str]] = {}
    for fw in frameworks_:
        role = ROLE_OF.get(fw)
        if role is None or role in designations or rng.random() < 0.05:
            continue  # now and then a role nobody was named to
        if role in OUTSOURCEABLE and rng.random() < 0.25:
            designations[role] = {"holder": "msp", "overseer": "p0"}
        else:
            designations[role] = {"holder": "p0"}
    splits = []
    if "help-desk" in msp["functions"] and rng.random() < 0.7:
        splits.append(
            {
                "function": "help-desk",
                "provider": "msp",
                "internal_part": "Walk-up and phone tickets in the office during business hours",
                "provider_part": "Remote tier 2, overflow, and everything after 6 pm",
                "agreement": f"{msp['agreement']} section 3",
            }
        )
    handoffs = []
    if any(p["id"] == "soc" for p in providers) and rng.random() < 0.7:
        handoffs.append(
            {
                "from": "soc",
                "to": "internal",
                "from_function": "security-monitoring",
                "to_function": "incident-response",
                "agreement": "MDR agreement section 6: pages the on-call within 15 minutes",
            }
        )
    profile: dict[str, Any] = {
        "organization": {"name": name, "sector": sector},
        "frameworks": frameworks_,
        "model": rng.choice(["co-managed", "co-managed", "fully-managed"]),
        "applicability": applicability,
        "internal": people,
        "designations": designations,
        "providers": providers,
        "splits": splits,
        "handoffs": handoffs,
        "evidence": _evidence(lib, frameworks_, rng, as_of),
    }
    accepted, plan = [], []
    if rng.random() < 0.3:
        expires = as_of + dt.timedelta(days=rng.choice([rng.randint(5, 30), rng.randint(31, 240)]))
        accepted.append(
            {
                "finding": finding_id("missing-evidence", (frameworks_[0],)),
                "reason": "Evidence binder being rebuilt after the office move; interim attestations on file",
                "approved_by": "p0",
                "approved": _day(rng, as_of, 10, 120),
                "expires": expires.isoformat(),
            }
        )
    if rng.random() < 0.4:
        detected = as_of - dt.timedelta(days=rng.randint(30, 300))
        plan.append(
            {
                "finding": finding_id("provider-oversight-overdue", ("msp",)),
                "owner": "p0",
                "due": (detected + dt.timedelta(days=rng.randint(30, 200))).isoformat(),
                "status": rng.choice(["open", "in-progress"]),
                "detected": detected.isoformat(),
                "note": "Annual vendor review scheduled with the account manager",
            }
        )
    if hipaa and not all(p.get("baa") for p in providers) and rng.random() < 0.6:
        lacking = next(p for p in providers if not p.get("baa"))
        plan.append(
            {
                "finding": finding_id("provider-agreement-missing", (lacking["id"], "baa")),
                "owner": "p0",
                "due": (as_of + dt.timedelta(days=rng.randint(-20, 60))).isoformat(),
                "milestones": [{"date": _day(rng, as_of, 1, 30), "text": "BAA draft sent"}],
            }
        )
    if accepted:
        profile["accepted_risks"] = accepted
    if plan:
        profile["remediation"] = plan
    return profile


def client_profiles(
    lib: Library, count: int, seed: int = 16, as_of: dt.date = AS_OF
) -> list[dict[str, Any]]:
    """`count` generated clients, the same for the same seed."""
    rng = random.Random(seed)
    return [client_profile(lib, n, rng, as_of) for n in range(count)]


def write_clients(folder: Path, profiles: Sequence[dict[str, Any]]) -> list[Path]:
    """Write the profiles as `client-0001.yaml`... into `folder` (created when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, profile in enumerate(profiles, 1):
        path = folder / f"client-{n:04d}.yaml"
        path.write_text(
            yaml.safe_dump(profile, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def main(argv: Sequence[str]) -> int:
    """`python bench/clients.py DIR [COUNT]`."""
    from ctrlmap.load.catalogs import load_library

    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    count = int(argv[1]) if len(argv) > 1 else 100
    written = write_clients(Path(argv[0]), client_profiles(load_library(), count))
    print(f"Wrote {len(written)} profiles into {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
