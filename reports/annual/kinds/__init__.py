"""The registry of section kinds (DESIGN §3)."""

from .base import CheckContext, Issue, KindSpec, Level
from .budget import Budget
from .indicators import Indicators
from .listing import Listing
from .narrative import Narrative
from .statistics import Statistics
from .three_public import ThreePublic

KINDS: dict[str, KindSpec] = {spec.code: spec for spec in (
    Narrative(), Budget(), ThreePublic(), Indicators(), Statistics(), Listing()
)}


def get_kind(code: str) -> KindSpec:
    return KINDS[code]


__all__ = ["KINDS", "CheckContext", "Issue", "KindSpec", "Level", "get_kind"]
