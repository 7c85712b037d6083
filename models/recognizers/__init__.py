"""Rule recognizers, one family per module; ``register_builtin_recognizers`` registers them.

Registration is an explicit, idempotent call (see ``models.registry``), never an import side
effect: ``models.analyzer.build_rule_analyzer`` makes it before reading its config.
"""
from __future__ import annotations


def builtin_recognizers() -> dict[str, type]:
    """Versioned name -> recognizer class for every rule recognizer shipped here."""
    from models.recognizers.address import AddressRecognizer
    from models.recognizers.bank import BankAccountRecognizer, BankCardRecognizer
    from models.recognizers.cn_identifiers import (
        HomeReturnPermitRecognizer,
        MilitaryIdRecognizer,
        PassportRecognizer,
        ResidentIdRecognizer,
    )
    from models.recognizers.contact import EmailRecognizer, PhoneRecognizer
    from models.recognizers.health_legal import HealthRecognizer, LegalRecordRecognizer
    from models.recognizers.latin_names import LatinPersonRecognizer
    from models.recognizers.name_forms import (
        AliasNameRecognizer,
        BoundaryNameRecognizer,
        CountedNamesRecognizer,
        IntroducedNameRecognizer,
        MarriedNameRecognizer,
        NameColumnRecognizer,
        RosterNameRecognizer,
    )
    from models.recognizers.secret_marks import SecretMarkRecognizer

    classes = (ResidentIdRecognizer, PassportRecognizer, HomeReturnPermitRecognizer,
               MilitaryIdRecognizer, PhoneRecognizer, EmailRecognizer, BankCardRecognizer,
               BankAccountRecognizer, SecretMarkRecognizer, HealthRecognizer, LegalRecordRecognizer,
               AddressRecognizer, LatinPersonRecognizer, AliasNameRecognizer, MarriedNameRecognizer,
               RosterNameRecognizer, BoundaryNameRecognizer, NameColumnRecognizer,
               CountedNamesRecognizer, IntroducedNameRecognizer)
    return {cls.name: cls for cls in classes}


def register_builtin_recognizers() -> list[str]:
    """Register every built-in recognizer (idempotent); returns their names."""
    from models import registry

    names = []
    for name, cls in builtin_recognizers().items():
        registry.register(name, cls)
        names.append(name)
    return names
