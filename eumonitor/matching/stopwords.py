"""Stop words the matcher ignores: Norwegian function words and the boilerplate of funding calls."""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


NORWEGIAN = frozenset(
    _words(
        """
    alle alt andre at av bare begge ble bli blir blitt bør da de dem den denne dens der deres dermed dersom det
    dette di din disse ditt du eller en ene eneste enhver enn er et ett etter for fordi fra før ganske god ha
    hadde han hans har hennes her hva hvem hver hvilke hvilken hvis hvor hvordan hvorfor i ikke ingen inn inni
    ja jeg kan kom kun kunne man mange med meg men mens mer mest min mine mitt mot mye må måtte ned nei noe noen
    nok nå når og også om opp oss over på samme seg selv sin sine sitt skal skulle slik som så sånn til under
    ut uten var ved vi vil ville vår våre være vært å
    """
    )
)

# Words every call uses, whatever its subject: they would make unrelated calls look alike.
BOILERPLATE = frozenset(
    _words(
        """
    expected outcome outcomes scope proposal proposals project projects action actions activities activity
    topic topics call calls applicant applicants consortium consortia beneficiaries beneficiary eligible
    eligibility funding fund funded grant grants budget eur million euro contribute contribution contributions
    should shall must including include includes included relevant specific particular addition
    additionally expected following aim aims aimed objective objectives impact impacts area areas
    work programme programmes section general annex annexes conditions criteria award evaluation
    page pages deadline submission submit lump sum type types cost costs part parts related level
    levels order way ways means based address addressing addressed ensure ensuring provide providing
    support supporting supported develop developing developed development new use using used
    """
    )
)
