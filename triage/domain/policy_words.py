"""The words of `policy explain`, per language; numbers are filled in from the policy.

No template holds a policy value: a changed weight shows in the explanation at once.
"""

from __future__ import annotations

from typing import Final

from shared.vocabulary import Lang

LANGS: Final[tuple[Lang, ...]] = ("nl", "en")
WGS_DAYS: Final = 3  # Wgs art. 4a: a threatening situation (bedreigende situatie) within 3 days

NL: Final[dict[str, str]] = {
    "title": "Risicoweging vroegsignalen — beleid versie {version}",
    "intro": "De score is de som van de punten hieronder, ten hoogste {max}. Elk punt staat als "
    "reden (code en uitleg) bij de zaak; dezelfde signalen en beleidsversie geven dezelfde "
    "score. De score bepaalt alleen de volgorde van de werklijst: een medewerker van de USD "
    "bekijkt elke zaak en beslist.",
    "bands": "Prioriteit naar score:",
    "band": "- {priority}: vanaf {points} punten",
    "band_low": "- {priority}: minder dan {points} punten",
    "signals": "Punten per signaal (van elke soort telt één open signaal: de hoogste "
    "huurachterstand, van de andere soorten de laatste):",
    "arrears": "- Huurachterstand, gemeten in maanden huur (zonder opgegeven maandhuur geldt "
    "€ {rent}):",
    "arrears_band": "  - vanaf {months} maanden achterstand: {points} punten",
    "order": "- Ontruimingsvonnis: {points} punten",
    "urgency": "  - ontruimingsdatum binnen {days} dagen (of al voorbij): {points} punten erbij "
    "(alleen de hoogste stap telt)",
    "executed": "- Uitgevoerde ontruiming: {points} punten, in plaats van die van het vonnis",
    "nuisance": "- Overlast naar ernst: laag {low}, middel {medium}, hoog {high} punten; bij "
    "agressie {aggression} punten erbij",
    "pollution": "- Vervuiling naar ernst: laag {low}, middel {medium}, hoog {high} punten",
    "drugs": "- Drugs (Wet Damocles, art. 13b Opiumwet) naar fase: melding {reported}, "
    "waarschuwing van de burgemeester {warning}, sluitingsbevel {closure} punten",
    "combination": "- Meerdere probleemgebieden tegelijk (multiproblematiek): vanaf {areas} "
    "gebieden {points} punten, {extra} per gebied meer, ten hoogste {max}",
    "children": "Kinderen (minderjarigen) wegen extra:",
    "children_has": "- Minstens één kind onder 18: {points} punten; elk kind meer {extra} punten, "
    "samen ten hoogste {max_extra} punten extra",
    "children_unknown": "- Aantal kinderen onbekend (reden MINORS_UNKNOWN): {points} punten",
    "why": "Waarom: de Kinderombudsman en de Nationale ombudsman stelden vast dat de overheid te "
    "weinig doet om huisuitzettingen van gezinnen te voorkomen. Hun regel: een huisuitzetting "
    "mag nooit eindigen in dakloosheid, en nooit voor kinderen. Deze regels (CONTRACT §3), "
    "gecontroleerd met voorbeeldzaken onder dit beleid:",
    "prop_1": "1. dezelfde signalen scoren met kinderen hoger dan zonder",
    "prop_2": "2. kinderen onbekend scoort nooit lager dan geen kinderen",
    "prop_3": "3. een ontruiming met kinderen is kritiek, team crisis",
    "prop_8": "8. een ontruiming terwijl onbekend is of er kinderen wonen is kritiek, team "
    "crisis: op de eerste dag wordt nagegaan of er kinderen wonen",
    "prop_9": "9. Wet Damocles (waarschuwing of sluitingsbevel) met kinderen of kinderen "
    "onbekend is kritiek, team crisis: sluiting is het laatste middel",
    "holds": "geldt",
    "fails": "GELDT NIET in dit beleid",
    "check": "- [{status}] {rule}",
    "floors": "Harde regels (die verhogen alleen de prioriteit, ook bij een lage score; 0 punten):",
    "floor": "- {code}: {types} open{minors} → minstens {priority} ({text})",
    "floor_minors": " en minstens {count} kind(eren)",
    "none": "- geen",
    "routing": "Toewijzing aan een team (de eerste regel die past):",
    "route": "{n}. {conditions} → team {team}",
    "if_priorities": "prioriteit {values}",
    "if_any": "een van {values} open",
    "if_only": "alleen {values} open",
    "if_all": "alle overige zaken",
    "and": " en ",
    "or": " of ",
    "deadlines": "Termijn voor de eerste contactpoging (reactietermijn): tellen begint de dag na "
    "opening, de termijn eindigt om {end} uur (Amsterdamse tijd):",
    "deadline": "- {priority}: {amount} {unit}{note}",
    "working_days": "werkdag(en), zonder weekend en feestdagen",
    "calendar_days": "kalenderdag(en)",
    "first_day": " — de ‘eerste dag’: de volgende werkdag",
    "sampling": "Steekproef (Algoritmekader): {rate} van de zaken met prioriteit laag krijgt "
    "reden RANDOM_SAMPLE (0 punten), zodat een mens ook bekijkt wat de wegingen laag zetten. "
    "Welke zaken is vast (een hash van het zaaknummer), dus een herhaalde beoordeling geeft "
    "dezelfde uitkomst.",
    "sampling_none": "Steekproef: dit beleid trekt geen steekproef uit de zaken met prioriteit "
    "laag.",
    "retention": "Bewaartermijn na het sluiten van een zaak (daarna wist `vroegsignaal purge` de "
    "zaak, haar signalen en de persoonsgegevens van het huishouden door de sleutel van het "
    "huishouden te vernietigen):",
    "retention_line": "- {outcome}: {months} maanden",
    "wgs_ok": " — binnen de Wgs-termijn van {days} dagen bij een bedreigende situatie",
    "wgs_late": " — LET OP: langer dan de Wgs-termijn van {days} dagen bij een bedreigende "
    "situatie",
    "priority.critical": "kritiek",
    "priority.high": "hoog",
    "priority.medium": "middel",
    "priority.low": "laag",
    "type.rent_arrears": "huurachterstand",
    "type.nuisance": "overlast",
    "type.pollution": "vervuiling",
    "type.drugs": "drugs",
    "type.eviction_order": "ontruimingsvonnis",
    "type.eviction_executed": "uitgevoerde ontruiming",
}

EN: Final[dict[str, str]] = {
    "title": "Risk scoring of early signals — policy version {version}",
    "intro": "The score is the sum of the points below, at most {max}. Every point is shown on "
    "the case as a reason (code and text); the same signals and policy version give the same "
    "score. The score only orders the worklist: a USD case worker looks at every case and "
    "decides.",
    "bands": "Priority by score:",
    "band": "- {priority}: from {points} points",
    "band_low": "- {priority}: below {points} points",
    "signals": "Points per signal (one open signal of each type counts: the highest rent "
    "arrears, the latest of other types):",
    "arrears": "- Rent arrears, measured in months of rent (without a monthly rent, € {rent} is "
    "assumed):",
    "arrears_band": "  - from {months} months in arrears: {points} points",
    "order": "- Eviction order: {points} points",
    "urgency": "  - eviction date within {days} days (or past): {points} points more (only the "
    "highest step counts)",
    "executed": "- Executed eviction: {points} points, instead of those of the order",
    "nuisance": "- Nuisance by severity: low {low}, medium {medium}, high {high} points; with "
    "aggression {aggression} points more",
    "pollution": "- Pollution by severity: low {low}, medium {medium}, high {high} points",
    "drugs": "- Drugs (Wet Damocles, art. 13b Opium Act) by stage: reported {reported}, the "
    "mayor's warning {warning}, closure ordered {closure} points",
    "combination": "- Several problem areas at once: from {areas} areas {points} points, {extra} "
    "per further area, at most {max}",
    "children": "Children (minors) weigh extra:",
    "children_has": "- At least one child under 18: {points} points; each further child {extra} "
    "points, at most {max_extra} points extra in all",
    "children_unknown": "- Number of children unknown (reason MINORS_UNKNOWN): {points} points",
    "why": "Why: the Children's Ombudsman and the National Ombudsman found that government does "
    "too little to prevent evictions of families. Their rule: an eviction must never end in "
    "homelessness, and never for children. These rules (CONTRACT §3), checked with example "
    "cases under this policy:",
    "prop_1": "1. the same signals score higher with children than without",
    "prop_2": "2. children unknown never scores lower than no children",
    "prop_3": "3. an eviction with children is critical, team crisis",
    "prop_8": "8. an eviction where it is unknown whether children live there is critical, team "
    "crisis: whether they do is checked on the first day",
    "prop_9": "9. Wet Damocles (warning or closure order) with children, or children unknown, is "
    "critical, team crisis: closure is the last remedy",
    "holds": "holds",
    "fails": "does NOT hold in this policy",
    "check": "- [{status}] {rule}",
    "floors": "Hard rules (they only raise the priority, also when the score is low; 0 points):",
    "floor": "- {code}: {types} open{minors} → at least {priority} ({text})",
    "floor_minors": " and at least {count} child(ren)",
    "none": "- none",
    "routing": "Team routing (the first rule that fits):",
    "route": "{n}. {conditions} → team {team}",
    "if_priorities": "priority {values}",
    "if_any": "one of {values} open",
    "if_only": "only {values} open",
    "if_all": "all other cases",
    "and": " and ",
    "or": " or ",
    "deadlines": "Deadline for the first contact attempt: counting starts the day after opening; "
    "a deadline ends at {end} (Amsterdam time):",
    "deadline": "- {priority}: {amount} {unit}{note}",
    "working_days": "working day(s), without weekends and public holidays",
    "calendar_days": "calendar day(s)",
    "first_day": " — the 'first day': the next working day",
    "sampling": "Random sample (Algoritmekader): {rate} of the low-priority cases get reason "
    "RANDOM_SAMPLE (0 points), so a person also looks at what the weights put low. Which cases "
    "is fixed (a hash of the case id), so a replayed assessment gives the same result.",
    "sampling_none": "Random sample: this policy samples no low-priority cases.",
    "retention": "Retention after a case closes (then `vroegsignaal purge` erases the case, its "
    "signals and the household's personal data by destroying the household's key):",
    "retention_line": "- {outcome}: {months} months",
    "wgs_ok": " — within the Wgs term of {days} days for a threatening situation",
    "wgs_late": " — NOTE: longer than the Wgs term of {days} days for a threatening situation",
    "priority.critical": "critical",
    "priority.high": "high",
    "priority.medium": "medium",
    "priority.low": "low",
    "type.rent_arrears": "rent arrears",
    "type.nuisance": "nuisance",
    "type.pollution": "pollution",
    "type.drugs": "drugs",
    "type.eviction_order": "eviction order",
    "type.eviction_executed": "executed eviction",
}
WORDS: Final[dict[Lang, dict[str, str]]] = {"nl": NL, "en": EN}
