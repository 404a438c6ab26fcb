"""Certificate metadata: lab, vendor, product, batch, sample id, report number, dates.

General mechanisms, no lab-specific rules. The package is split along what it reads:

* :mod:`~parsers.metadata.vocabulary`: the label vocabulary as data (field → language →
  rank → labels) and the word lists;
* :mod:`~parsers.metadata.labels`: which field a printed label names, ``Label: value`` pairs;
* :mod:`~parsers.metadata.cells`: cells and the geometry of bare labels and their values;
* :mod:`~parsers.metadata.ranking`: named sort keys that decide between candidates;
* :mod:`~parsers.metadata.lab`, :mod:`~parsers.metadata.parties`,
  :mod:`~parsers.metadata.identifiers`, :mod:`~parsers.metadata.dates`: one module per
  kind of field;
* :mod:`~parsers.metadata.reader`: :func:`read_metadata`, the entry point.
"""

from parsers.metadata.dates import to_iso
from parsers.metadata.labels import fields_of_label, normalise_label
from parsers.metadata.reader import Metadata, read_metadata
from parsers.metadata.vocabulary import LABEL_TABLE, LABELS

__all__ = [
    "LABELS",
    "LABEL_TABLE",
    "Metadata",
    "fields_of_label",
    "normalise_label",
    "read_metadata",
    "to_iso",
]
