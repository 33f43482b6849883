"""Species labels used by GEISHA -> scientific name and NCBI taxon.

GEISHA's ortholog table names species by common name; its Xenopus rows come from Xenbase
and mix X. laevis and X. tropicalis genes, so they map to the genus (taxon 8353).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Species:
    key: str  # "NCBITaxon:9606", or "label:<casefolded label>" for a label we do not know
    name: str
    taxon_id: int | None
    common_name: str | None


CHICKEN = Species("NCBITaxon:9031", "Gallus gallus", 9031, "chicken")

_KNOWN = (
    CHICKEN,
    Species("NCBITaxon:9606", "Homo sapiens", 9606, "human"),
    Species("NCBITaxon:10090", "Mus musculus", 10090, "mouse"),
    Species("NCBITaxon:8353", "Xenopus", 8353, "Xenopus"),
    Species("NCBITaxon:7955", "Danio rerio", 7955, "zebrafish"),
    Species("NCBITaxon:7227", "Drosophila melanogaster", 7227, "fruit fly"),
)

_BY_LABEL: dict[str, Species] = {}
for _species in _KNOWN:
    for _label in (_species.name, _species.common_name or "", str(_species.taxon_id)):
        _BY_LABEL[_label.casefold()] = _species
_BY_LABEL.update(
    {"chick": CHICKEN, "frog": _BY_LABEL["xenopus"], "fly": _BY_LABEL["fruit fly"],
     "drosophila": _BY_LABEL["fruit fly"], "danio": _BY_LABEL["zebrafish"]}
)


def resolve_species(label: str | None) -> Species | None:
    """Known label -> Species; unknown -> a label-keyed Species (kept, and reported)."""
    if label is None or not label.strip():
        return None
    folded = " ".join(label.split()).casefold()
    known = _BY_LABEL.get(folded)
    if known is not None:
        return known
    return Species(f"label:{folded}", label.strip(), None, None)
