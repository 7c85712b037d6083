"""Genre templates. Each template is a function ``(ctx) -> None`` that composes a document from
fragments in its own order with random omissions; ``TEMPLATES`` says which split may use it.

Held-out design: every genre has at least one template whose split is "test" only; those
functions (their structure, order and phrasings) never produce a training document.
One module per genre family; this registry is the only place that assigns splits.
"""
from __future__ import annotations

from training.synth.genres.personnel import personnel_form, personnel_narrative, personnel_review_test, appointment_notice, cadre_publicity_test
from training.synth.genres.registers import household_register, household_migration, household_test, birth_death_test
from training.synth.genres.court import court_judgment, court_ruling_test, civil_mediation_test
from training.synth.genres.medical import medical_record, injury_appraisal, medical_test, forensic_test
from training.synth.genres.petitions import petition_letter, petition_register_test, petition_visit_form
from training.synth.genres.minutes import meeting_minutes, meeting_test, minutes_verbatim
from training.synth.genres.contracts import contract_companies, contract_individual, contract_test
from training.synth.genres.public import public_notice, statistics_report, work_report, commendation, public_test
from training.synth.genres.secret import secret_directive, secret_test, internal_compilation
from training.synth.genres.commercial import commercial_core, commercial_test, price_quotation, product_catalogue
from training.synth.genres.security import foreign_ethnic, security_test, border_incident
from training.synth.genres.common import Template

TEMPLATES: tuple[Template, ...] = (
    Template("personnel_form", "personnel", "train", personnel_form, weight=1.2),
    Template("personnel_narrative", "personnel", "train", personnel_narrative),
    Template("personnel_review", "personnel", "test", personnel_review_test),
    Template("household_register", "household", "train", household_register, (1955, 2005)),
    Template("household_migration", "household", "train", household_migration, (1958, 2005)),
    Template("household_census", "household", "test", household_test, (1982, 2005)),
    Template("court_judgment", "court", "train", court_judgment, (1979, 2005)),
    Template("court_admin_penalty", "court", "test", court_ruling_test, (1958, 2005)),
    Template("medical_record", "medical", "train", medical_record),
    Template("injury_appraisal", "medical", "train", injury_appraisal, (1960, 2005)),
    Template("medical_procedure", "medical", "test", medical_test, (1972, 2005)),
    Template("petition_letter", "petition", "train", petition_letter, (1978, 2005)),
    Template("petition_reply", "petition", "test", petition_register_test, (1980, 2005)),
    Template("meeting_minutes", "minutes", "train", meeting_minutes, weight=1.3),
    Template("meeting_briefing", "minutes", "test", meeting_test),
    Template("contract_companies", "contract", "train", contract_companies, (1980, 2005)),
    Template("contract_individual", "contract", "train", contract_individual, (1982, 2005)),
    Template("contract_agreement", "contract", "test", contract_test, (1985, 2005)),
    Template("public_notice", "public", "train", public_notice, weight=1.2),
    Template("statistics_report", "public", "train", statistics_report),
    Template("work_report", "public", "train", work_report),
    Template("commendation", "public", "train", commendation),
    Template("public_consultation", "public", "test", public_test, (1985, 2005)),
    Template("secret_directive", "secret", "train", secret_directive, weight=1.3),
    Template("secret_telegram", "secret", "test", secret_test),
    Template("commercial_core", "commercial", "train", commercial_core, (1980, 2005)),
    Template("commercial_costing", "commercial", "test", commercial_test, (1985, 2005)),
    Template("foreign_ethnic", "security", "train", foreign_ethnic),
    Template("foreign_affairs_brief", "security", "test", security_test),
    Template("minutes_verbatim", "minutes", "train", minutes_verbatim),
    Template("petition_visit_form", "petition", "train", petition_visit_form, (1978, 2005)),
    Template("internal_compilation", "secret", "train", internal_compilation, (1956, 2005)),
    Template("price_quotation", "commercial", "train", price_quotation, (1980, 2005)),
    Template("border_incident", "security", "train", border_incident),
    Template("appointment_notice", "personnel", "train", appointment_notice, weight=0.8),
    Template("cadre_publicity", "personnel", "test", cadre_publicity_test, (1985, 2005), weight=0.7),
    Template("product_catalogue", "commercial", "train", product_catalogue, (1980, 2005), weight=0.8),
    Template("civil_mediation", "court", "test", civil_mediation_test, (1980, 2005), weight=0.7),
    Template("forensic_appraisal", "medical", "test", forensic_test, (1985, 2005), weight=0.7),
    Template("birth_death_register", "household", "test", birth_death_test, (1955, 2005), weight=0.7),
)
