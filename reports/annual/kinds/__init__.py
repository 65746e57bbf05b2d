"""The registry of section kinds (DESIGN §3)."""

from .base import CheckContext, Issue, KindSpec, Level
from .budget import Budget
from .indicators import Indicators
from .listing import Listing
from .narrative import Narrative
from .rectification import Rectification
from .statistics import Statistics
from .three_public import ThreePublic

KINDS: dict[str, KindSpec] = {spec.code: spec for spec in (
    Narrative(), Budget(), ThreePublic(), Indicators(), Statistics(), Listing(), Rectification()
)}


GENERATED_KINDS = frozenset(code for code, spec in KINDS.items() if spec.generated)


def get_kind(code: str) -> KindSpec:
    return KINDS[code]


__all__ = ["GENERATED_KINDS", "KINDS", "CheckContext", "Issue", "KindSpec", "Level", "get_kind"]
