"""Attachment lists closing a notice: the files a page offers for download are not its text.

A government portal sets the files of a notice under its text: a label (``附件：``, ``相关附件``,
``附件下载``) and the files' names, each a link or a name with its file type
(``附件：1. 青山县2024年……名单.docx``, ``2. 实施方案.pdf（56KB）``). Like a related-stories list,
they lead away from the page, so they are no paragraph (the corpus conventions leave related
links out). An attachment's own text printed in the page (the label alone, then the annexe's
title and its text or table) is the document's and stays: only a label over files is dropped.
"""

from __future__ import annotations

import re

# The label of an attachment list: 附件, 相关附件, 附件下载, in brackets or not.
_LABEL = r"[【\[]?\s*(?:相[关關])?附件(?:下[载載]|列表)?\s*[】\]]?"
_LABEL_LINE = re.compile(rf"{_LABEL}\s*[:：]?")
# A file's name with its type, after the label and its number (附件：1. …, 2、…), its size after
# it: the text of a download link. A sentence (a clause before it) does not end on a file type.
_FILE_LINE = re.compile(
    rf"(?:{_LABEL}\s*[:：]?\s*)?(?:\d{{1,2}}\s*[.、．]\s*)?[^。！？，,；\s][^。！？，,；]{{0,80}}"
    r"[.．](?:docx?|xlsx?|pdf|wps|et|ofd|pptx?|zip|rar|7z|txt|csv)"
    r"\s*(?:[（(]\s*\d[\d.]*\s*[KMG]?B\s*[)）])?",
    re.IGNORECASE,
)
# The last characters of a line naming a file: its type's last letter or its size's bracket.
_FILE_ENDS = frozenset("cCxXfFsStTpPdDeErRzZvV)）")


def is_file_line(text: str) -> bool:
    """True for a line naming a file to download (附件：1. 名单.docx, 方案.pdf（56KB）)."""
    return text[-1:] in _FILE_ENDS and _FILE_LINE.fullmatch(text) is not None


def is_attachment_label(text: str) -> bool:
    """True for an attachment list's label alone on its line (附件：, 相关附件, 【附件下载】)."""
    return "附件" in text and _LABEL_LINE.fullmatch(text) is not None
