"""Credit lines inside an article body: ``(编辑/… 值班主任/…)``, ``(来源:…)``, ``李嘉斌 摄``.

Many portals type the editor and source credits as the last paragraphs of the body. They are
bylines, not text: they are taken out of ``paragraphs`` and read with the byline grammar.
"""

from __future__ import annotations

import re

from .byline import EDITOR_ROLES, POSTFIX_ROLES, REPORTER_ROLES, SOURCE_LABELS, _alternation
from .normalize import HAN

_LABELS = _alternation(EDITOR_ROLES + REPORTER_ROLES + SOURCE_LABELS)
# A line that opens (after an optional bracket) with a role or source label and a separator.
_LEADING_LABEL = re.compile(rf"^[(（\[【]?\s*(?:{_LABELS})\s*(?:[:：/|丨｜]|\s)")
# A photo credit standing alone: names followed by 摄.
_PHOTO_CREDIT = re.compile(
    rf"^[(（]?\s*[{HAN}·•、，,\s]{{2,40}}?\s*[/／]?\s*(?:{_alternation(POSTFIX_ROLES)})\s*[)）]?$"
)
# Credit lines are short and are not sentences.
_MAX_LENGTH = 100
_SENTENCE_END = re.compile("[。！？!?]")


def is_credit_line(text: str) -> bool:
    """True when a body paragraph is a credit line rather than article text."""
    if not text or len(text) > _MAX_LENGTH or _SENTENCE_END.search(text):
        return False
    return bool(_LEADING_LABEL.match(text) or _PHOTO_CREDIT.match(text))
