"""A draft Algoritmeregister entry (`vroegsignaal policy register`) from the active policy.

In Dutch, as the register is. Numbers and rule checks come from the policy; what only the
municipality can fill in is a placeholder in [brackets], so a draft is never mistaken for done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from triage.domain.policy_explain import family_rule_checks
from triage.domain.policy_model import ScoringPolicy

REQUIRED_KEYS: Final = (
    "name",
    "organisation",
    "status",
    "purpose",
    "legal_basis",
    "data_used",
    "methods_and_models",
    "human_intervention",
    "risks_and_mitigations",
    "impact_assessments",
    "version_history",
)
NAME_PLACEHOLDER: Final = "[naam van de gemeente: zet VS_MUNICIPALITY_NAME]"
CODE_PLACEHOLDER: Final = "[CBS-gemeentecode: zet VS_MUNICIPALITY_CODE]"


@dataclass(frozen=True, slots=True)
class PolicyFile:
    """Which file the active policy came from, and its SHA-256, pinning the exact weights."""

    name: str
    sha256: str


def register_entry(
    policy: ScoringPolicy,
    policy_file: PolicyFile,
    municipality_name: str | None = None,
    municipality_code: str | None = None,
) -> dict[str, Any]:
    """The entry as JSON-ready data; every key of REQUIRED_KEYS is present."""
    b, c, d = policy.priority_bands, policy.children, policy.deadlines
    checks = {check.prop: check.holds for check in family_rule_checks(policy)}
    family = ", ".join(f"{n}: {'geldt' if ok else 'GELDT NIET'}" for n, ok in checks.items())
    return {
        "name": f"Vroegsignaal: risicoweging vroegsignalen (beleid {policy.version})",
        "organisation": {
            "name": municipality_name or NAME_PLACEHOLDER,
            "code": municipality_code or CODE_PLACEHOLDER,
        },
        "status": "concept",
        "publication_category": "impactvol algoritme",
        "purpose": (
            "Woningcorporaties melden signalen van dreigende huisuitzetting (huurachterstand, "
            "overlast, vervuiling, drugs, ontruimingsvonnis) vanaf de eerste dag. Het algoritme "
            "ordent de zaken op urgentie, wijst ze toe aan een team van de USD en zet een "
            "termijn voor het eerste contact, zodat de USD eerst de huishoudens benadert die "
            "het meeste gevaar lopen hun woning te verliezen, gezinnen met kinderen voorop. "
            "Doel: huisuitzettingen voorkomen, en nooit dakloosheid na een huisuitzetting."
        ),
        "legal_basis": [
            _law(
                "Wet gemeentelijke schuldhulpverlening (Wgs), art. 12a e.v.",
                "Vroegsignalering: "
                "corporaties melden betalingsachterstanden, de gemeente biedt hulp aan.",
            ),
            _law(
                "Wgs art. 4a",
                "Termijnen voor het eerste gesprek, korter bij een bedreigende "
                "situatie zoals een dreigende ontruiming.",
            ),
            _law(
                "AVG art. 6 lid 1 sub e",
                "Verwerking nodig voor een taak van algemeen belang, "
                "met de Wgs als grondslag in nationaal recht (art. 6 lid 3).",
            ),
            _law("AVG art. 22", "Geen geautomatiseerd besluit: een medewerker beslist."),
        ],
        "data_used": [
            _data("Soort en datum van elk signaal", True),
            _data("Huurachterstand en maandhuur (gerekend in maanden huur)", True),
            _data(
                "Datum van vonnis en ontruiming; ernst van overlast en vervuiling; fase "
                "Wet Damocles",
                True,
            ),
            _data("Aantal minderjarigen en volwassenen in het huishouden (of: onbekend)", True),
            _data(
                "Adres, om signalen per huishouden te bundelen; de vier cijfers van de postcode "
                "(wijk) voor de maandrapportage",
                False,
            ),
            _data(
                "Contactgegevens (naam, telefoon, e-mail, geboortedatum): versleuteld, alleen "
                "getoond aan medewerkers, elke inzage in het auditlog",
                False,
            ),
            _data(
                "Niet gebruikt: nationaliteit, afkomst, inkomen, gezondheid of andere "
                "bijzondere persoonsgegevens",
                False,
            ),
        ],
        "methods_and_models": (
            "Regels en punten, geen machine learning. De gewichten staan in een gepubliceerd, "
            f"geversioneerd beleidsbestand; de score is hun som (ten hoogste 100). Prioriteit "
            f"kritiek vanaf {b.critical}, hoog vanaf {b.high}, middel vanaf {b.medium} punten. "
            f"Kinderen: {c.has_minors_points} punten, onbekend {c.unknown_points}. Harde regels "
            f"verhogen alleen de prioriteit ({len(policy.priority_floors)} in dit beleid). "
            "Elk punt is een reden met uitleg; `vroegsignaal policy explain` geeft alle regels."
        ),
        "human_intervention": (
            "Een medewerker van de USD bekijkt elke zaak, zoekt contact en beslist over hulp. De "
            "score bepaalt alleen de volgorde van de werklijst en de termijn van het eerste "
            "contact; er volgt geen besluit over de burger uit. De redenen staan bij de zaak, "
            "zodat de medewerker de score kan volgen en ervan kan afwijken."
        ),
        "risks_and_mitigations": [
            _risk(
                "Ongelijke behandeling per wijk of per melder (corporatie)",
                "De maandrapportage (`vroegsignaal report`) toont de scoreverdeling per wijk "
                "en per bron; afwijkingen worden besproken en kunnen tot een nieuwe "
                "beleidsversie leiden.",
            ),
            _risk(
                "Wat de gewichten missen: een huishouden met een lage score krijgt later aandacht",
                "Een aselecte steekproef van zaken met prioriteit laag krijgt een menselijke "
                "blik (reden RANDOM_SAMPLE); ook laag heeft een termijn "
                f"({d.low.amount} {_unit(d.low.unit)}).",
            ),
            _risk(
                "Ontbrekende gegevens, zoals het aantal kinderen",
                "Kinderen onbekend scoort nooit lager dan geen kinderen. Regels voor gezinnen "
                f"(CONTRACT §3, eigenschappen {family}).",
            ),
            _risk(
                "Blind vertrouwen op de score",
                "Elk punt heeft een reden in gewone taal; de score ordent alleen.",
            ),
            _risk(
                "Inbreuk op de privacy",
                "Persoonsgegevens versleuteld met een sleutel per huishouden, vernietigd na "
                "de bewaartermijn; elke inzage van contactgegevens staat in een "
                "onveranderlijk auditlog (`vroegsignaal audit verify`).",
            ),
            _risk(
                "Ongemerkte wijziging van het beleid",
                "Elke beoordeling draagt de beleidsversie en is te herhalen "
                "(`vroegsignaal policy replay`); de versiegeschiedenis staat hieronder.",
            ),
        ],
        "impact_assessments": [
            "DPIA: [datum en uitkomst invullen]",
            "IAMA (Impact Assessment Mensenrechten en Algoritmes): [datum en uitkomst invullen]",
        ],
        "version_history": [
            {
                "version": policy.version,
                "status": "actief",
                "policy_file": policy_file.name,
                "sha256": policy_file.sha256,
            }
        ],
    }


def _law(law: str, explanation: str) -> dict[str, str]:
    return {"law": law, "explanation": explanation}


def _data(category: str, used_for_score: bool) -> dict[str, Any]:
    return {"category": category, "used_for_score": used_for_score}


def _risk(risk: str, mitigation: str) -> dict[str, str]:
    return {"risk": risk, "mitigation": mitigation}


def _unit(unit: str) -> str:
    return "werkdagen" if unit == "working_days" else "kalenderdagen"


def register_markdown(entry: dict[str, Any]) -> str:
    """The same entry for people: one heading per field of the register."""
    org = entry["organisation"]
    lines = [f"# {entry['name']}", "", f"**Organisatie:** {org['name']} ({org['code']})  "]
    lines += [f"**Status:** {entry['status']}, {entry['publication_category']}", ""]
    lines += ["## Doel en impact", "", entry["purpose"], "", "## Wettelijke grondslag", ""]
    lines += [f"- **{law['law']}**: {law['explanation']}" for law in entry["legal_basis"]]
    lines += ["", "## Gebruikte gegevens", ""]
    for data in entry["data_used"]:
        lines.append(
            f"- {data['category']}{'' if data['used_for_score'] else ' (niet in de score)'}"
        )
    lines += ["", "## Werking", "", entry["methods_and_models"], ""]
    lines += ["## Menselijke tussenkomst", "", entry["human_intervention"], ""]
    lines += ["## Risico's en maatregelen", ""]
    lines += [f"- **{r['risk']}**: {r['mitigation']}" for r in entry["risks_and_mitigations"]]
    lines += ["", "## Impacttoetsen", "", *(f"- {a}" for a in entry["impact_assessments"])]
    lines += ["", "## Versiegeschiedenis", ""]
    for v in entry["version_history"]:
        lines.append(f"- {v['version']} ({v['status']}): {v['policy_file']}, sha256 {v['sha256']}")
    return "\n".join(lines) + "\n"


__all__ = ["REQUIRED_KEYS", "PolicyFile", "register_entry", "register_markdown"]
