"""`ctrlmap init`: by flags and by interview it writes a profile that validates and assesses like
the hand-written one; it never overwrites without --force and leaves nothing on Ctrl-C."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from click.testing import CliRunner, Result

from ctrlmap import cli as cli_module
from ctrlmap.analyse.recommend import Answers
from ctrlmap.assessment.pipeline import assess
from ctrlmap.cli import SECTORS, cli
from ctrlmap.errors import CtrlmapError
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models import Profile
from ctrlmap.models.base import Sector
from ctrlmap.onboard.interview import Interview, pick
from ctrlmap.onboard.profile_text import checked_profile_text, quoted, render_profile, scalar
from ctrlmap.onboard.starter import (
    PLACEHOLDER_NAME,
    Given,
    build_draft,
    fact_values,
    facts_to_ask,
    new_id,
    parse_designation,
    parse_fact,
    roles_for,
)
from tests.conftest import DATA

AS_OF = dt.date(2026, 11, 28)
EXPECTED = DATA / "init" / "riverside.yaml"

RIVERSIDE_FLAGS = (
    "--organization",
    "Riverside Family Clinic",
    "--sector",
    "healthcare",
    "--framework",
    "hipaa-security",
    "--framework",
    "hipaa-breach",
    "--fact",
    "hipaa=covered-entity",
    "--model",
    "co-managed",
    "--person",
    "dana:Dana Ortiz:network-administration,server-management,on-site-support,"
    "access-management:role=IT Director:backup=harbor",
    "--person",
    "sam:Sam Lee:governance,policy-documentation,workforce-training,vendor-management"
    ":role=Practice Administrator",
    "--provider",
    "harbor:Harbor Managed IT:security-monitoring,help-desk,patch-management,backup-recovery,"
    "endpoint-management:agreement=MSA 2026-03, SOW 2:after-hours:baa:last-reviewed=2026-02-01",
    "--designate",
    "security-official=sam",
)


def riverside_answers(lib: Library) -> list[str]:
    """The interview's answers for Riverside, one per prompt, with two wrong ones asked again."""
    number = {f: str(i) for i, f in enumerate(lib.functions, 1)}
    return [
        "Riverside Family Clinic",
        "health",  # not a sector: asked again
        "healthcare",
        "",  # frameworks: the suggested default, hipaa-security and hipaa-breach
        "",  # hipaa: the default, covered-entity
        "n",  # clearinghouse
        "n",  # group health plan
        "1",  # internal IT staff
        "high",
        "flexible",
        "yes",
        "",  # the proposed model, co-managed
        "y",  # add a person
        "Dana Ortiz",
        "",  # id: dana
        "IT Director",
        "99",  # not a function: asked again
        f"{number['network-administration']}, {number['server-management']}, "
        "on-site-support, access-management",
        "n",
        "harbor",
        "y",
        "Sam Lee",
        "",
        "Practice Administrator",
        "governance, policy-documentation, workforce-training, vendor-management",
        "n",
        "",
        "n",  # no more people
        "y",  # add a provider
        "Harbor Managed IT",
        "",
        "MSA 2026-03, SOW 2",
        "security-monitoring, help-desk, patch-management, backup-recovery, endpoint-management",
        "",  # its agreement covers every framework
        "y",  # after hours
        "n",  # on site
        "y",  # BAA
        "2026-02-01",
        "n",  # no more providers
        "sam",  # security official
    ]


class Script:
    """A prompter that plays answers in order; blank takes the default."""

    def __init__(self, answers: list[str]) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.said: list[str] = []
        self.asked: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def ask(self, question: str, default: str | None = None) -> str:
        self.asked.append(question)
        answer = next(self.answers)
        return answer if answer or default is None else default

    def confirm(self, question: str, default: bool) -> bool:
        self.asked.append(question)
        answer = next(self.answers)
        return default if not answer else answer.lower().startswith("y")


def same_assessment(lib: Library, path: Path) -> None:
    """The profile at `path` validates and assesses exactly like the hand-written one."""
    made, _ = load_profile(path, lib)
    expected, _ = load_profile(EXPECTED, lib)
    ours, theirs = assess(made, lib, as_of=AS_OF), assess(expected, lib, as_of=AS_OF)
    assert ours.assignment.model_dump() == theirs.assignment.model_dump()
    assert ours.gaps.model_dump() == theirs.gaps.model_dump()
    assert made.internal == expected.internal and made.providers == expected.providers


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- no input ---------------------------------------------------------------------------------


def test_no_flags_write_a_valid_starter_profile(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    result = invoke("init", "--no-input")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-4:] == [
        "Next:",
        "  ctrlmap validate profile.yaml",
        "  ctrlmap gaps profile.yaml",
        "  ctrlmap report profile.yaml -o profile.html",
    ]
    profile, _ = load_profile(here / "profile.yaml", lib)
    assert profile.organization.name == PLACEHOLDER_NAME
    assert profile.frameworks == ("hipaa-security", "hipaa-breach")
    text = (here / "profile.yaml").read_text()
    assert "rename the placeholder organization" in text
    assert "# security-official: {holder: ID}" in text
    assert [p.name for p in here.iterdir()] == ["profile.yaml"]
    assert invoke("validate", "profile.yaml").exit_code == 0


def test_the_next_steps_write_the_report_beside_the_profile(
    invoke: Callable[..., Result], here: Path
) -> None:
    (here / "clients").mkdir()
    result = invoke("init", "--no-input", "-o", "clients/acme.yaml")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout.splitlines()[-1] == "  ctrlmap report clients/acme.yaml -o clients/acme.html"
    )


def test_flags_give_the_hand_written_profile(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    result = invoke("init", "--no-input", "-o", "riverside.yaml", *RIVERSIDE_FLAGS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Wrote riverside.yaml: Riverside Family Clinic, hipaa-security, hipaa-breach, "
        "co-managed, 2 people, 1 provider."
    )
    same_assessment(lib, here / "riverside.yaml")


def test_a_scripted_interview_gives_the_hand_written_profile(lib: Library, here: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", "-o", "riverside.yaml"], input="\n".join(riverside_answers(lib)) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "answer one of: healthcare, financial, legal, other" in result.stdout
    assert "'99' is not a function of the list" in result.stdout
    assert "Proposed model: co-managed (co-managed 5, fully-managed 1)." in result.stdout
    assert "ctrlmap validate riverside.yaml" in result.stdout
    same_assessment(lib, here / "riverside.yaml")
    text = (here / "riverside.yaml").read_text()
    assert "# Proposed by the four questions of `ctrlmap recommend` (co-managed 5" in text


def test_flags_answer_their_questions_so_the_interview_skips_them(lib: Library) -> None:
    script = Script(
        ["n", "n", "n", "n"]
    )  # clearinghouse, group health plan, no people or providers
    given = Given(
        organization="Acme",
        sector="healthcare",
        frameworks=("hipaa-security",),
        facts={"hipaa": ("covered-entity",)},
        model="fully-managed",
    )
    done = Interview(script, lib).run(given)
    assert done.model == "fully-managed" and done.organization == "Acme"
    assert done.facts == {
        "hipaa": ("covered-entity",),
        "hipaa-clearinghouse": False,
        "hipaa-group-health-plan": False,
    }
    assert any("Nobody can hold it yet" in line for line in script.said)


def test_a_provider_may_hold_a_role_with_an_internal_overseer(lib: Library) -> None:
    script = Script(
        [
            "Hale & Ortiz CPAs",
            "financial",
            "glba-safeguards, pci-dss-4, nydfs-500",
            "",  # pci: merchant
            "D",  # SAQ D: every requirement a merchant has (so 12.1.4, the PCI executive)
            "n",  # issuer
            "n",  # customized approach
            "n",  # designated entity (no multi-tenant question: that is for service providers)
            "n",  # early TLS
            "class-a",  # nydfs
            "y",  # small institution
            "0",
            "low",
            "predictable",
            "no",
            "",  # fully-managed, as proposed
            "y",
            "Kim Hale",
            "",
            "Managing Partner",
            "governance",
            "n",
            "nobody-known",  # a backup that is nobody: asked again at the end
            "n",
            "y",
            "Ledger IT",
            "",
            "",
            "security-monitoring",
            "glba-safeguards",  # its agreement covers GLBA only: no PCI DSS acknowledgment asked
            "y",
            "y",
            "not a date",
            "",
            "n",
            "",  # kim's backup, asked again: nobody
            "ledger",  # qualified individual: the provider
            "kim",  # its overseer
            "ledger",  # ciso: the provider
            "",  # no overseer
            "ledger",  # pci executive: a provider may not hold it, asked again
            "kim",
        ]
    )
    done = Interview(script, lib).run(Given())
    assert done.model == "fully-managed"
    assert done.facts["pci-saq"] == "D" and done.facts["nydfs"] == "class-a"
    assert done.people[0].backup is None
    assert done.providers[0].frameworks == ("glba-safeguards",)
    assert not done.providers[0].pci_acknowledgement and not done.providers[0].baa
    roles = {r: (d.holder, d.overseer) for r, d in done.designations.items()}
    assert roles == {
        "qualified-individual": ("ledger", "kim"),
        "ciso": ("ledger", None),
        "pci-executive": ("kim", None),
    }
    assert any("write the date as YYYY-MM-DD" in line for line in script.said)
    text, profile = checked_profile_text(build_draft(done, lib), lib, "cpa.yaml")
    assert profile.applicability.pci_saq == "D"
    assert "pci_acknowledgement: true" not in text and "baa:" not in text


# --- never over a file, nothing on Ctrl-C ---------------------------------------------------------


def test_an_existing_file_needs_force(invoke: Callable[..., Result], here: Path) -> None:
    target = here / "profile.yaml"
    target.write_text("mine\n")
    result = invoke("init", "--no-input")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: profile.yaml: already exists; give --force to overwrite it, or -o another file\n"
    )
    assert target.read_text() == "mine\n"
    assert invoke("init", "--no-input", "--force").exit_code == 0
    assert target.read_text().startswith("# ctrlmap profile")


def test_ctrl_c_mid_interview_leaves_no_file(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ended = CliRunner().invoke(cli, ["init"], input="Riverside\nhealthcare\n")
    assert ended.exit_code == 1 and "Aborted!" in ended.output
    answers = iter(["Riverside", "healthcare", ""])

    def prompt(question: str, **kwargs: Any) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(cli_module.click, "prompt", prompt)
    interrupted = CliRunner().invoke(cli, ["init"])
    assert interrupted.exit_code == 130
    assert list(here.iterdir()) == []


def test_an_invalid_profile_is_never_written(invoke: Callable[..., Result], here: Path) -> None:
    result = invoke(
        "init",
        "--no-input",
        "--framework",
        "hipaa-security",
        "--designate",
        "security-official=nobody",
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --designate security-official=nobody: holder: unknown person or provider "
        "'nobody'; none are defined\n"
    )
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sector", "other"), "--framework: name at least one framework for sector other"),
        (("--framework", "hipaa-securty"), "did you mean 'hipaa-security'?"),
        (("--framework", "aba-model-rules", "--framework", "aba-model-rules"), "named twice"),
        (("--fact", "pci=merchant"), "--fact pci: does not decide any control of hipaa-security"),
        (("--fact", "hipa=covered-entity"), "unknown fact 'hipa'; did you mean 'hipaa'?"),
        (("--fact", "hipaa"), "give a value, as hipaa=VALUE"),
        (("--fact", "hipaa-clearinghouse=maybe"), "write hipaa-clearinghouse=yes or"),
        (("--fact", "hipaa=patient"), "unknown hipaa value 'patient'"),
        (("--fact", "nydfs=standard,class-a"), "nydfs takes one value"),
        (("--model", "half-managed"), "unknown model 'half-managed'"),
        (("--designate", "cso=sam"), "unknown role 'cso'"),
        (("--designate", "ciso="), "give the holder, as ciso=ID[:OVERSEER]"),
        (("--designate", "ciso=a b"), "ids are letters"),
        (("--person", "pat:Pat:patching"), "--person pat: functions: unknown function 'patching'"),
        (("--person", "pat:Pat::colour=blue"), "--person pat: colour: unknown key 'colour'"),
        (
            ("--person", "pat:Pat::backup=nobody"),
            "--person pat: backup: unknown person or provider",
        ),
        (("--provider", "x:X::last-reviewed=May"), "last-reviewed: 'May' is not a date"),
        (("--provider", "x:X::baa=perhaps"), "baa: 'perhaps' is not yes or no"),
        (("--person", "internal:Us"), "'internal' is a reserved word"),
        (("--person", "a b:Us"), "is not an id"),
        (("--person", "pat:"), "--person pat: name: every row needs a name"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(
    invoke: Callable[..., Result], here: Path, args: tuple[str, ...], message: str
) -> None:
    fw = (
        ()
        if any(a in ("--framework", "--sector") for a in args)
        else ("--framework", "hipaa-security")
    )
    if args[0] == "--fact" and args[1].startswith("nydfs"):
        fw = ("--framework", "nydfs-500")
    result = invoke("init", "--no-input", *fw, *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr, result.stderr
    assert list(here.iterdir()) == []


# --- the pieces -------------------------------------------------------------------------------


def test_the_cli_sectors_are_the_models() -> None:
    assert get_args(Sector) == SECTORS


def test_text_is_quoted_so_yaml_reads_it_back(lib: Library) -> None:
    assert scalar("dana") == "dana"
    assert scalar("yes") == '"yes"' and scalar("B") == '"B"'
    tricky = 'O\'Brien: "Ops" # 1 é\t'
    assert quoted(tricky) == '"O\'Brien: \\"Ops\\" # 1 é\\t"'
    assert quoted("a\x85b\u2028") == '"a\\u0085b\\u2028"'
    draft = build_draft(Given(organization=tricky, people=(), frameworks=("hipaa-security",)), lib)
    _, profile = checked_profile_text(draft, lib, "t.yaml")
    assert profile.organization.name == tricky.strip()


def test_new_ids_are_unique_and_never_reserved() -> None:
    assert new_id("Dana Ortiz", []) == "dana"
    assert new_id("Dana Smith", ["dana"]) == "dana-2"
    assert new_id("Internal Audit", []) == "internal-audit"
    assert new_id("Shared", []) == "shared-1"
    assert new_id("!!!", []) == "party"


def test_pick_reads_numbers_and_ids_once() -> None:
    assert pick("2, a, 2", ["a", "b"], "x") == (("b", "a"), None)
    assert pick("3", ["a", "b"], "x") == (None, "'3' is not a x of the list; give its number or id")


def test_only_the_saqs_that_fit_the_pci_roles_are_offered(lib: Library) -> None:
    assert fact_values("pci-saq", lib) == ("none", "A", "B", "B-IP", "D")
    assert fact_values("pci-saq", lib, ("service-provider",)) == ("none", "D")
    assert parse_fact("pci-saq=B-IP", lib) == ("pci-saq", "B-IP")
    assert parse_fact("pci=merchant,service-provider", lib) == (
        "pci",
        ("merchant", "service-provider"),
    )
    assert parse_designation("ciso=harbor:kim")[1].overseer == "kim"


def test_the_model_note_says_when_the_choice_differs(lib: Library) -> None:
    chosen = build_draft(
        Given(model="fully-managed", answers=Answers(internal_staff=3, control="high")), lib
    )
    assert "# Chosen over co-managed, which the four questions" in render_profile(chosen, lib)
    tied = build_draft(Given(), lib)
    assert "gave no recommendation" in render_profile(tied, lib)
    assert tied.profile.model == "co-managed"


def test_the_sector_follows_the_first_framework(lib: Library) -> None:
    draft = build_draft(Given(frameworks=("aba-model-rules",)), lib)
    assert draft.profile.organization.sector == "legal"
    with pytest.raises(CtrlmapError, match=r"organization\.name"):
        build_draft(Given(organization="   "), lib)


def test_every_applicability_question_names_a_fact(lib: Library) -> None:
    from ctrlmap.models import FACTS
    from ctrlmap.onboard.starter import FACT_QUESTIONS

    assert set(FACT_QUESTIONS) == (set(FACTS) - {"outsourced"}) | {"pci-saq"}
    every = lib.facts_used([c for c in lib.catalogs if not lib.catalogs[c].hub])
    assert every <= set(FACT_QUESTIONS)


def test_the_written_profile_is_the_profile_validated(lib: Library, tmp_path: Path) -> None:
    given = Given(
        organization="Acme",
        frameworks=("hipaa-security", "pci-dss-4"),
        facts={"pci-saq": "none", "hipaa": ("business-associate",)},
    )
    text, profile = checked_profile_text(build_draft(given, lib), lib, "acme.yaml")
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    assert load_profile(path, lib)[0] == profile
    assert "# pci-saq: none" in text and "  hipaa: [business-associate]" in text
    assert isinstance(profile, Profile)


def test_a_flag_that_does_not_fit_the_chosen_frameworks_stops_the_interview_at_once(
    lib: Library,
) -> None:
    from ctrlmap.models import Provider

    with pytest.raises(CtrlmapError, match="--fact pci: does not decide"):
        Interview(Script(["Acme", "healthcare", ""]), lib).run(Given(facts={"pci": ("merchant",)}))
    scoped = Provider(id="acme", name="Acme", frameworks=("pci-dss-4",))
    with pytest.raises(CtrlmapError, match="provider acme: its frameworks name pci-dss-4"):
        Interview(Script(["Acme", "healthcare", ""]), lib).run(Given(providers=(scoped,)))


def test_a_designation_of_nobody_known_is_asked_again(lib: Library) -> None:
    from ctrlmap.models import Designation

    script = Script(["n", "n", "y", "Pat Doe", "", "", "governance", "n", "", "n", "n", "pat"])
    given = Given(
        organization="Acme",
        sector="healthcare",
        frameworks=("hipaa-security",),
        facts={"hipaa": ("covered-entity",)},
        model="co-managed",
        designations={"security-official": Designation(holder="ghost")},
    )
    done = Interview(script, lib).run(given)
    assert done.designations["security-official"].holder == "pat"
    assert any("neither a person nor a provider" in line for line in script.said)


def test_every_bad_flag_is_reported_in_one_pass(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "p.yaml"
    result = invoke(
        "init",
        "--no-input",
        "-o",
        str(out),
        "--framework",
        "hipa",
        "--framework",
        "pci-dss-4",
        "--fact",
        "pci-saq=BIP",
        "--designate",
        "security-oficial=dana",
        "--person",
        "dana:Dana:governance:rol=IT",
        "--model",
        "co-manged",
    )
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 5, result.stderr
    for said in ("'hipa'", "'co-manged'", "'rol'", "'BIP'", "'security-oficial'"):
        assert any(said in line for line in errors), said
    assert not out.exists()


def test_a_mistyped_menu_choice_gets_a_did_you_mean() -> None:
    from ctrlmap.onboard.interview import pick

    chosen, problem = pick("patching", ["patch-management", "help-desk"], "function")
    assert chosen is None
    assert problem == (
        "'patching' is not a function of the list (did you mean 'patch-management'?); give its "
        "number or id"
    )


# --- what is asked follows what applies --------------------------------------------------------

SHOP = Given(
    organization="Corner Shop", sector="other", frameworks=("pci-dss-4",), model="co-managed"
)


def test_the_saq_decides_whether_the_pci_executive_is_asked(lib: Library) -> None:
    """SAQ B-IP does not include 12.1.4: nobody is asked to name the PCI executive."""
    b_ip = Script(["", "B-IP", "n", "y", "Ann Lee", "", "Owner", "governance", "n", "", "n", "n"])
    done = Interview(b_ip, lib).run(SHOP)
    assert done.facts == {"pci": ("merchant",), "pci-saq": "B-IP", "pci-early-tls-poi": False}
    assert not any("PCI DSS executive" in line for line in b_ip.said)
    assert done.designations == {}
    text, _ = checked_profile_text(build_draft(done, lib), lib, "shop.yaml")
    assert "pci-executive" not in text
    d = Script(
        [
            "",
            "D",
            "n",
            "n",
            "n",
            "n",
            "y",
            "Ann Lee",
            "",
            "",
            "governance",
            "n",
            "",
            "n",
            "n",
            "ann",
        ]
    )
    d_done = Interview(d, lib).run(SHOP)
    assert d.asked[-1] == "Who holds it (ann; blank: not yet)"  # SAQ D includes 12.1.4
    assert d_done.designations["pci-executive"].holder == "ann"


def test_the_nydfs_exemption_decides_whether_a_ciso_is_asked(lib: Library) -> None:
    given = Given(organization="Small Lender", sector="financial", frameworks=("nydfs-500",))
    exempt = build_draft(replace_facts(given, nydfs="limited-exemption"), lib).profile
    standard = build_draft(replace_facts(given, nydfs="standard"), lib).profile
    assert roles_for(exempt, lib) == []
    assert roles_for(standard, lib) == ["ciso"]


def replace_facts(given: Given, **facts: str) -> Given:
    return Given(**{**given.__dict__, "facts": facts})


def test_a_merchant_is_not_asked_service_provider_questions(lib: Library) -> None:
    """A1 (multi-tenant service providers) applies only to service providers: a merchant is not
    asked about it; a service provider is."""
    merchant = Script(["", "none", "n", "n", "n", "n", "n", "n"])
    Interview(merchant, lib).run(SHOP)
    assert not any("multi-tenant" in q for q in merchant.asked)
    provider = Script(["service-provider", "none", "n", "n", "n", "n", "n", "n", "n"])
    done = Interview(provider, lib).run(SHOP)
    assert any("multi-tenant" in q for q in provider.asked)
    assert done.facts["pci-multi-tenant"] is False


def test_facts_to_ask_drops_what_the_saq_leaves_out(lib: Library) -> None:
    frameworks = ("pci-dss-4",)
    assert facts_to_ask(frameworks, {}, lib)[:2] == ["pci", "pci-saq"]
    merchant = {"pci": ("merchant",)}
    assert "pci-multi-tenant" not in facts_to_ask(frameworks, merchant, lib)
    assert facts_to_ask(frameworks, {**merchant, "pci-saq": "A"}, lib) == []
    both = {"pci": ("merchant", "service-provider"), "pci-saq": "none"}
    assert "pci-multi-tenant" in facts_to_ask(frameworks, both, lib)


def test_a_role_designated_though_not_required_is_kept_and_explained(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    result = invoke(
        "init",
        "--no-input",
        "--framework",
        "pci-dss-4",
        "--fact",
        "pci-saq=B-IP",
        "--person",
        "ann:Ann Lee:governance",
        "--designate",
        "pci-executive=ann",
    )
    assert result.exit_code == 0, result.stderr
    text = (here / "profile.yaml").read_text()
    assert "  pci-executive: {holder: ann}" in text
    assert "  # Not required: PCI DSS v4.0.1 12.1.4 does not apply: not asked by SAQ B-IP" in text
    report = invoke("report", "profile.yaml", "--format", "md", "--as-of", "2026-11-28")
    assert report.exit_code in (0, 1), report.stderr
    assert (
        "Also designated in the profile, though no control in scope requires it: PCI DSS "
        "executive responsible for information security, Ann Lee (PCI DSS v4.0.1 12.1.4 does not "
        "apply: not asked by SAQ B-IP, the questionnaire the organization files"
    ) in report.stdout
    assert "no framework in scope requires it" not in report.stdout


# --- every mistake of a flag at once, pinned to the answer behind it ---------------------------


def refused_person(invoke: Callable[..., Result], spec: str) -> list[str]:
    """The error lines of `init --no-input` over the HIPAA Security Rule with one `--person`."""
    result = invoke("init", "--no-input", "--framework", "hipaa-security", "--person", spec)
    assert result.exit_code == 2
    return result.stderr.splitlines()


def test_every_mistake_of_one_person_flag_comes_in_one_pass(
    invoke: Callable[..., Result], here: Path
) -> None:
    spec = "pat:Pat Doe:patching:colour=blue:after-hours=maybe:backup=nobody:role=a:role=b"
    assert refused_person(invoke, spec) == [
        "Error: --person pat: colour: unknown key 'colour'; known: after-hours, backup, role",
        "Error: --person pat: role: role is given twice; give it once",
        "Error: --person pat: functions: unknown function 'patching'; did you mean "
        "'patch-management'?",
        "Error: --person pat: after-hours: 'maybe' is not yes or no; write yes or no",
        "Error: --person pat: backup: unknown person or provider id 'nobody'; known: pat",
    ]


def test_a_bare_key_stands_for_yes_only_when_it_is_a_yes_or_no_key(
    invoke: Callable[..., Result], here: Path
) -> None:
    assert refused_person(invoke, "pat:Pat Doe:help-desk:after-hours:backup") == [
        "Error: --person pat: backup: backup needs a value: write backup=VALUE",
    ]


def test_a_colon_in_a_flag_value_is_written_backslash_colon(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    result = invoke(
        "init",
        "--no-input",
        "--framework",
        "hipaa-security",
        "--provider",
        r"harbor:Harbor IT\: East:help-desk:agreement=MSA 2026-03\: SOW 2:baa",
        "--person",
        r"pat:Pat:governance:role=Lead \\ IT",
    )
    assert result.exit_code == 0, result.stderr
    profile, _ = load_profile(here / "profile.yaml", lib)
    assert profile.providers[0].name == "Harbor IT: East"
    assert profile.providers[0].agreement == "MSA 2026-03: SOW 2"
    assert profile.internal[0].role == "Lead \\ IT"


def test_an_unescaped_colon_is_explained(invoke: Callable[..., Result], here: Path) -> None:
    result = invoke(
        "init",
        "--no-input",
        "--framework",
        "hipaa-security",
        "--provider",
        "harbor:Harbor:help-desk:agreement=MSA: SOW 2",
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --provider harbor: SOW 2: unknown key 'SOW 2'; known: after-hours, agreement, "
        "baa, frameworks, independent, last-reviewed, on-site, pci-acknowledgement; a colon "
        "inside a value is written \\:\n"
    )


def test_the_help_documents_the_spec_and_its_escape(invoke: Callable[..., Result]) -> None:
    result = invoke("init", "--help")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "ID:NAME:FUNCTIONS[:KEY=VALUE]..." in flat
    assert r"write a colon inside a value as \:" in flat


def test_a_bad_spreadsheet_row_is_named_not_the_unwritten_profile(
    invoke: Callable[..., Result], here: Path
) -> None:
    (here / "people.csv").write_text("id,name,functions,backup\nann,Ann Lee,governance,ann\n")
    result = invoke("init", "--no-input", "--framework", "hipaa-security", "--people", "people.csv")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: people.csv:row 2: backup: a person cannot be their own backup\n"
    )
    assert sorted(p.name for p in here.iterdir()) == ["people.csv"]


def test_an_overseer_flag_is_named(invoke: Callable[..., Result], here: Path) -> None:
    result = invoke(
        "init",
        "--no-input",
        "--framework",
        "hipaa-security",
        "--person",
        "ann:Ann:governance",
        "--designate",
        "security-official=ann:zed",
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: --designate security-official=ann:zed: overseer: unknown internal person 'zed'"
    )


# --- the dental group of issue 15: four providers, HIPAA and PCI DSS under SAQ B-IP --------------

DENTAL = DATA / "init" / "bright-smile.yaml"
DENTAL_ANSWERS = [
    "Bright Smile Dental Group",
    "healthcare",
    "1, 2, 3",  # both HIPAA rules and PCI DSS
    "",  # covered entity
    "n",
    "n",
    "",  # merchant
    "B-IP",  # then only the early-TLS question of PCI DSS is left
    "n",
    "1",
    "high",
    "predictable",
    "yes",
    "",  # co-managed, as proposed
    "y",
    "Maria Chen",
    "",
    "Office Manager",
    "Governance, policy-documentation, workforce-training, vendor-management, "
    "compliance-reporting, physical-security",
    "n",
    "",
    "y",
    "Tom Rivera",
    "",
    "IT Coordinator",
    "on-site-support, access-management, asset-management, network-administration",
    "n",
    "coastal",  # a provider not yet entered: checked once the providers are in
    "n",
    "y",
    "Coastal IT Partners",
    "",
    "MSA 2025-07",
    "server-management, endpoint-management, patch-management, help-desk",
    "",
    "n",
    "y",
    "y",
    "y",
    "2026-03-15",
    "y",
    "Sentinel SOC",
    "",
    "MSSP agreement 2026",
    "security-monitoring, incident-response, vulnerability-management",
    "",
    "y",
    "n",
    "y",
    "y",
    "",
    "y",
    "DentiCloud EHR",
    "",
    "Subscription 2024",
    "application-security, data-protection",
    "hipaa-security, hipaa-breach",
    "n",
    "n",
    "y",  # BAA; no PCI DSS acknowledgment asked: its agreement covers HIPAA only
    "2025-11-01",
    "y",
    "VaultBox Backup",
    "",
    "Backup service 2025",
    "backup-recovery",
    "1, 2",
    "n",
    "n",
    "n",
    "",
    "n",
    "maria",  # the security official; no PCI executive: SAQ B-IP does not include 12.1.4
]
DENTAL_PEOPLE = (
    "name,role,functions,backup\n"
    "Maria Chen,Office Manager,Governance; Policies and documentation; workforce training; "
    "vendor-management; compliance-reporting; physical-security,\n"
    "Tom Rivera,IT Coordinator,On-site support; access-management; asset-management; "
    "network-administration,coastal\n"
)
DENTAL_PROVIDERS = (
    "id,name,agreement,functions,frameworks,after_hours,on_site,baa,pci_acknowledgement,"
    "last_reviewed\n"
    "coastal,Coastal IT Partners,MSA 2025-07,server-management; endpoint-management; "
    "patch-management; Help Desk,,no,yes,yes,yes,2026-03-15\n"
    "sentinel,Sentinel SOC,MSSP agreement 2026,security-monitoring; incident-response; "
    "vulnerability-management,,yes,no,yes,yes,\n"
    "denticloud,DentiCloud EHR,Subscription 2024,application-security; data-protection,"
    "hipaa-security; hipaa-breach,no,no,yes,,2025-11-01\n"
    "vaultbox,VaultBox Backup,Backup service 2025,Backup and recovery,"
    "hipaa-security; hipaa-breach,,,,,\n"
)


def same_as_dental(lib: Library, path: Path) -> None:
    made, _ = load_profile(path, lib)
    expected, _ = load_profile(DENTAL, lib)
    ours, theirs = assess(made, lib, as_of=AS_OF), assess(expected, lib, as_of=AS_OF)
    assert ours.assignment.model_dump() == theirs.assignment.model_dump()
    assert ours.gaps.model_dump() == theirs.gaps.model_dump()
    assert made.model_dump() == expected.model_dump()


def test_the_dental_group_by_interview_is_the_hand_written_profile(
    lib: Library, here: Path
) -> None:
    result = CliRunner().invoke(
        cli, ["init", "-o", "dental.yaml"], input="\n".join(DENTAL_ANSWERS) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "PCI DSS executive" not in result.stdout
    assert "multi-tenant" not in result.stdout
    same_as_dental(lib, here / "dental.yaml")


def test_the_dental_group_by_flags_is_the_hand_written_profile(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    result = invoke(
        "init",
        "--no-input",
        "-o",
        "dental.yaml",
        "--organization",
        "Bright Smile Dental Group",
        *("--framework", "hipaa-security", "--framework", "hipaa-breach"),
        *("--framework", "pci-dss-4", "--model", "co-managed"),
        *("--fact", "hipaa=covered-entity", "--fact", "hipaa-clearinghouse=no"),
        *("--fact", "hipaa-group-health-plan=no", "--fact", "pci=merchant"),
        *("--fact", "pci-saq=B-IP", "--fact", "pci-early-tls-poi=no"),
        "--person",
        "maria:Maria Chen:governance,policy-documentation,workforce-training,vendor-management,"
        "compliance-reporting,physical-security:role=Office Manager",
        "--person",
        "tom:Tom Rivera:on-site-support,access-management,asset-management,"
        "network-administration:role=IT Coordinator:backup=coastal",
        "--provider",
        "coastal:Coastal IT Partners:server-management,endpoint-management,patch-management,"
        "help-desk:agreement=MSA 2025-07:on-site:baa:pci-acknowledgement:last-reviewed=2026-03-15",
        "--provider",
        "sentinel:Sentinel SOC:security-monitoring,incident-response,vulnerability-management"
        ":agreement=MSSP agreement 2026:after-hours:baa:pci-acknowledgement",
        "--provider",
        "denticloud:DentiCloud EHR:application-security,data-protection:agreement=Subscription "
        "2024:frameworks=hipaa-security,hipaa-breach:baa:last-reviewed=2025-11-01",
        "--provider",
        "vaultbox:VaultBox Backup:backup-recovery:agreement=Backup service 2025"
        ":frameworks=hipaa-security,hipaa-breach",
        "--designate",
        "security-official=maria",
    )
    assert result.exit_code == 0, result.stderr
    same_as_dental(lib, here / "dental.yaml")


def test_the_dental_group_from_its_lists_is_the_hand_written_profile(
    invoke: Callable[..., Result], lib: Library, here: Path
) -> None:
    (here / "people.csv").write_text(DENTAL_PEOPLE)
    (here / "providers.csv").write_text(DENTAL_PROVIDERS)
    answers = [*DENTAL_ANSWERS[:14], "n", "n", "maria"]  # the lists answer for the parties
    result = CliRunner().invoke(
        cli,
        ["init", "--people", "people.csv", "--providers", "providers.csv", "-o", "dental.yaml"],
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    same_as_dental(lib, here / "dental.yaml")


def test_an_overlong_name_is_asked_again_not_refused_after_the_interview(lib: Library) -> None:
    people = ["y", "B" * 301, "Bo", "", "", "", "n", "", "n", "n", ""]
    script = Script(["A" * 301, "Acme Dental", "", "n", "n", *people])
    done = Interview(script, lib).run(
        Given(sector="healthcare", frameworks=("hipaa-security",), model="co-managed")
    )
    assert done.organization == "Acme Dental" and done.people[0].name == "Bo"
    assert script.said.count("  301 characters; shorten it to 300 at most") == 2
