"""Every custom attribute the kg pipeline sets on spaCy objects, declared in one place.

* ``Span._.kg_rule`` (str): which component (and rule) found the mention, e.g.
  ``"kg_district_ruler:gazetteer"``.
* ``Span._.kg_attrs`` (dict): typed attributes of the mention. Districts: ``code`` (official code,
  "" for towns and villages), ``level`` (province/city/county/town/village/zone), ``parent``
  (the parent division's name), ``official_name`` and ``canonical`` (the full name a short form
  stands for, 綦江 -> 綦江区). Policies named by a document number: ``doc_number``,
  ``issuer_code`` (渝府办发), ``year`` (int) and ``serial`` (int).
* ``Doc._.kg_candidates`` (list of :class:`kg.nlp.candidates.Candidate`): every mention the rulers
  proposed, overlapping, before ``kg_overlap_resolver`` picks the final ``doc.ents``.

Span extension values live in ``doc.user_data`` keyed by the span's character offsets, so they
are visible on the spans of ``doc.ents``.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span


def register_extensions() -> None:
    """Declare the extensions (idempotent: safe to call from every component)."""
    if not Span.has_extension("kg_rule"):
        Span.set_extension("kg_rule", default=None)
    if not Span.has_extension("kg_attrs"):
        Span.set_extension("kg_attrs", default=None)
    if not Doc.has_extension("kg_candidates"):
        Doc.set_extension("kg_candidates", default=None)


register_extensions()
