"""The author named only by a commentary headline: ``张三：让夜市亮起来也要管起来``.

Opinion pages often print the writer's name as the headline's prefix and nowhere else. The same
shape is also how news headlines quote a speaker (``李强：坚定信心``), so the prefix is read as the
author only when all of these hold:

- it has the shape of a personal name (``names``);
- the page credits no reporter anywhere else;
- what follows the colon is no quotation (``李强：“坚定信心”``);
- the body never names that person: a report on what someone said always does, while a writer
  does not name himself.
"""

from __future__ import annotations

import re

from ..names import looks_like_person
from ..normalize import HAN

_PREFIX = re.compile(rf"^(?P<name>[{HAN}]{{2,4}})\s*[:：]\s*(?P<rest>\S.{{5,}})$")


def headline_author(headline: str | None, paragraphs: list[str], has_reporters: bool) -> str | None:
    """The name prefixing a commentary headline, or None."""
    if not headline or has_reporters:
        return None
    match = _PREFIX.match(headline)
    if not match or not looks_like_person(match.group("name")):
        return None
    name = match.group("name")
    if match.group("rest")[0] in "“「『\"'" or any(name in paragraph for paragraph in paragraphs):
        return None  # a quotation after the colon is the speaker's words, not a commentary
    return name
