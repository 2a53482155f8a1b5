"""The kit's four tables: every column, type and vocabulary, and their validation.

One definition of each column lives here. Readers call :func:`validate` on whatever they
parsed; it returns a coerced copy (UTC timestamps, categories, tuples of source ids) or raises a
single :class:`ValidationError` listing *every* problem found, each naming the file, row, column,
offending value and what was expected.

Row numbers are 1-based data rows; ``line`` is the line in the CSV file (the header is line 1).

The modules, each importing only those before it: :mod:`.vocab` (vocabularies, TLP levels and
their order), :mod:`.problems`, :mod:`.columns` (table definitions), :mod:`.dates` (dates with a
precision), :mod:`.validation` (one check per kind of column), :mod:`.render` (back to text) and
:mod:`.meta` (the keys of ``case.json`` and their check).
"""

from __future__ import annotations

from .columns import (
    COLUMNS,
    POSTS_COLUMNS,
    Column,
    entity_marks,
    id_column,
    in_conflict,
    naming_marks,
)
from .dates import format_date, infer_precision
from .meta import META_FILE, META_KEYS, REQUIRED_META, MetaKeyWarning, validate_meta
from .problems import Problem, ValidationError, as_mapping, show_value
from .render import to_text
from .validation import (
    LIST_SEPARATOR,
    empty,
    slug_id,
    validate,
    validate_entities,
    validate_events,
    validate_relations,
    validate_sources,
)
from .vocab import (
    CATEGORIES,
    CREDIBILITY,
    CREDIBILITY_MEANING,
    ENTITY_KINDS,
    PAP_LEVELS,
    POST_DATES,
    PRECISIONS,
    RELATIONS,
    RELIABILITY,
    SECTORS,
    STATUSES,
    TLP_COLORS,
    TLP_LEVELS,
    country_code,
    country_codes,
    highest_tlp,
    normalise_pap,
    normalise_tlp,
    tlp_allows,
    tlp_rank,
    tlp_within,
)

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "CREDIBILITY",
    "CREDIBILITY_MEANING",
    "ENTITY_KINDS",
    "LIST_SEPARATOR",
    "META_FILE",
    "META_KEYS",
    "PAP_LEVELS",
    "POSTS_COLUMNS",
    "POST_DATES",
    "PRECISIONS",
    "RELATIONS",
    "RELIABILITY",
    "REQUIRED_META",
    "SECTORS",
    "STATUSES",
    "TLP_COLORS",
    "TLP_LEVELS",
    "Column",
    "MetaKeyWarning",
    "Problem",
    "ValidationError",
    "as_mapping",
    "country_code",
    "country_codes",
    "empty",
    "entity_marks",
    "format_date",
    "highest_tlp",
    "id_column",
    "in_conflict",
    "infer_precision",
    "naming_marks",
    "normalise_pap",
    "normalise_tlp",
    "show_value",
    "slug_id",
    "tlp_allows",
    "tlp_rank",
    "tlp_within",
    "to_text",
    "validate",
    "validate_entities",
    "validate_events",
    "validate_meta",
    "validate_relations",
    "validate_sources",
]
