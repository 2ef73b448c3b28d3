"""``GenericLayout``: the stages of the generic extractor put together into one reading of a page."""

from __future__ import annotations

import re
from typing import Any

from ...portals.base import Layout
from ..byline import author_outlet, parse_byline
from ..credits import has_credit_role, is_credit_line, lead_credit, trailing_credit
from ..fields import RawFields
from ..noise import is_noise_line, strip_autoplay, strip_back_link, strip_photo_counter
from ..normalize import has_han
from ..roles import SOURCE_LABELS, alternation
from ..script import detect_script
from ..times import TIME_PATTERN, has_bare_minguo, minguo_named
from .attachments import is_attachment_label, is_file_line
from .badges import heading_meta
from .body import (
    best_container,
    body_blocks,
    in_chrome_box,
    in_list_item,
    in_player_box,
    in_summary_box,
    inline_box,
    is_key_points_label,
    is_stop_line,
    other_article_blocks,
    paragraph_shape,
    restated_below,
    standfirst,
    within,
)
from .headblock import headline_block, subtitle_line
from .header import header_item
from .headline import (
    after_repeated_headline,
    fallback_headline,
    find_headline,
    other_headlines,
    own_titles,
    title_parts,
)
from .images import body_images, caption_lines
from .lines import HEADINGS, Line, page_lines, tag_of
from .marks import SUBHEADLINE
from .metadata import Metadata, read_metadata, same_site_url
from .metalines import (
    BYLINE_WINDOW,
    CREDIT_WINDOW,
    FIELD_LABEL,
    MAX_BYLINE_LENGTH,
    MAX_CREDIT_LENGTH,
    PUBLISHED_LABELLED,
    SENTENCE,
    TIME_LABELLED,
    is_chrome_line,
    is_meta_line,
    is_short,
    join_spaced_labels,
    sign_off,
    tail_credit,
    tidy_byline,
)
from .reconcile import (
    PLACEHOLDER_CLOCK,
    date_shown,
    drafted_time,
    reconcile_times,
    shown_time,
    updated_time,
)
from .signed import headline_author
from .slots import slot_bylines
from .tables import is_label_row, table_rows
from .titles import title_key


class GenericLayout(Layout):
    """Reads any article page by the conventions of Chinese news pages; no selectors."""

    version = "2"
    headline = info_line = paragraphs = ""
    # Set by ``read()``: the page's own canonical URL when it names one on the same site.
    canonical_url: str | None = None
    # Set by ``read()``: the print-edition note of a web article that ran in a newspaper.
    print_edition: re.Match[str] | None = None

    def read(self) -> RawFields:
        page = self.page
        meta = read_metadata(page)
        self.canonical_url = same_site_url(page.url, meta.canonical)
        lines, images = page_lines(page.selector.root)
        titles = [r for r in ([meta.headline] + meta.titles) if r]
        references = own_titles(titles, lines)
        own, foreign = other_headlines(lines, references)
        excluded = other_article_blocks(own, foreign) if own and foreign else set()
        container = best_container(lines, excluded)
        # The text may go on in a sibling block past an advert: each block's lines are the body.
        blocks = body_blocks(lines, container, excluded) if container is not None else []
        body = [line for line in lines if any(within(line.owner, block) for block in blocks)]
        if len(blocks) > 1:
            container = blocks[0].getparent()  # chrome inside the blocks is told up to their parent
        if foreign and body:
            # A container holding both stories ends where the second one's headline starts.
            body = [line for line in body if line.index < foreign[0].index]

        headline, headline_index = find_headline(lines, references, body, page.url)
        if headline is None:
            # Nothing on the page reads as its headline and the title names only the site: the
            # site's name keeps the record, which still holds the text.
            headline = fallback_headline(titles)
        kicker, subtitle = headline_block(lines, headline, headline_index, references)
        # The container may hold the headline, its subtitle and the meta lines too: the body
        # starts after them.
        block_end = subtitle_line(lines, headline_index, subtitle) or headline_index
        if headline_index >= 0 and any(line.index > block_end for line in body):
            body = [line for line in body if line.index > block_end]
        meta_lines: list[Line] = []
        while body and len(meta_lines) < BYLINE_WINDOW:
            item, taken = header_item(body, 0)
            if is_meta_line(item.spaced):
                meta_lines.append(item)
                del body[:taken]
            elif meta_lines and is_chrome_line(body[0]):
                body.pop(0)
            elif not meta_lines and len(body) > 1 and is_short(body[0]) and is_meta_line(body[1].spaced):
                body.pop(0)  # e.g. the author/outlet line printed without labels above the time
            else:
                break
        body = _after_repeated_deck(body, after_repeated_headline(body, headline), subtitle)
        paragraphs, credits, body_end = self._body(body, container, headline, caption_lines(body, images))
        first_body = body[0].index if body else len(lines)
        paragraphs[:0] = standfirst(lines[headline_index + 1 : first_body], paragraphs)
        bylines = self._bylines(lines, headline_index, meta_lines[0].index if meta_lines else first_body)
        bylines += [line.spaced for line in meta_lines]
        if headline_index >= 0 and headline is not None:
            # A meta row set inside the heading (<h1>标题<span>2024-07-01 来源：某报</span></h1>).
            inside = heading_meta(lines[headline_index], headline)
            if inside is not None:
                bylines.insert(0, inside)
        if headline_index > 0:
            # A meta line set right above the headline (2024-05-18 09:30　来源：青山日报 over the
            # <h1>): read after the lines under it, which win when they show the same fields.
            above = _header_items(lines[max(0, headline_index - 3) : headline_index])[-1]
            if above.link_share < 0.5 and _is_dated_meta(above.spaced):
                bylines.append(above.spaced)
        trailing = self._trailing_credits(lines, body_end)
        credits.extend(trailing)
        # Slots right below the text too: <div class="author">张三</div> closing the article.
        credits.extend(slot_bylines(lines, body_end, body_end + _SLOTS_AFTER_BODY + 1))
        if any(map(has_bare_minguo, bylines)) and self._traditional(headline, paragraphs):
            # A Taiwanese page's date without its era (113-03-05): read with the era named.
            bylines = [minguo_named(text) for text in bylines]
        # A meta line set below the text (2024-05-18 09:30　来源：青山日报) dates the story as one
        # above it would, its time unlabelled: only right after the text, not a credit inside it
        # (a dateline's 3月1日 is the event's day, without a year).
        # …and so does one the text's own block closes with (its paragraphs, then that line).
        below = [text for text in trailing if is_meta_line(text)] + [t for t in credits if _is_dated_meta(t)]
        time_text = self._time(meta, bylines, credits, below, lines, headline_index, first_body)
        # Only labelled fields name people or the source: an unlabelled meta line holds the time,
        # the site's or account's name, counters.
        labelled = [t for t in map(tidy_byline, bylines) if FIELD_LABEL.search(t) or author_outlet(t)]
        # …and so do the slots whose markup names the field (<span class="source">新华社</span>).
        header_start = headline_index if headline_index >= 0 else first_body - BYLINE_WINDOW - 1
        labelled += slot_bylines(lines, header_start, first_body)
        credits = [tidy_byline(line) for line in credits]
        if headline_index > 0 and not any(parse_byline(text).source for text in labelled + credits):
            labelled += _table_source(lines[max(0, headline_index - BYLINE_WINDOW) : headline_index])
        if meta.source and not any(parse_byline(text).source for text in labelled + credits):
            # The outlet the CMS records, when the page shows none (a source set by a script).
            labelled.append(tidy_byline(meta.source if _SOURCE_FIRST.match(meta.source) else f"来源：{meta.source}"))
        # The page's own title data may keep the prefix a visible heading leaves out.
        headlines = [headline] + [title_parts(r)[min(1, len(title_parts(r)) - 1)] for r in references]
        if any(h and ("：" in h or ":" in h) for h in headlines):
            has_reporters = any(parse_byline(text).reporters for text in labelled + credits)
            for candidate in headlines:
                author = headline_author(candidate, paragraphs, has_reporters)
                if author:
                    credits.append(author)  # 张三：… on an opinion page that credits nobody else
                    break
        edition = self.print_edition
        return RawFields(
            headline=headline,
            time_text=time_text,
            bylines=labelled,
            paragraphs=paragraphs,
            credits=credits,
            images=[image for block in blocks for image in body_images(page, images, block, lines)],
            kicker=kicker,
            subtitle=subtitle,
            paper=edition.group("paper") if edition else None,
            edition_date=edition.group("date") if edition else None,
            page=re.sub(r"\s+", "", edition.group("page")) if edition else None,
        )

    def _body(
        self, body: list[Line], container: Any, headline: str | None, captions: set[int]
    ) -> tuple[list[str], list[str], int]:
        """Body paragraphs and the credit lines found among them; index of the last body line.

        ``captions`` are the lines that may open on a slideshow's photo counter."""
        body = table_rows(body, container)  # a data table's row is one paragraph
        paragraphs: list[str] = []
        last: Line | None = None
        credits: list[str] = []
        total = sum(line.chars for line in body) or 1
        seen = 0
        end = body[-1].index if body else -1
        key_points = False
        boxed: set[int] = set()  # the lines of a related-stories box set between paragraphs
        shapes: set[tuple[str, str]] = set()  # how the paragraphs read so far are marked up
        rows: set[int] = set()  # the paragraphs that are a data table's rows
        for position, line in enumerate(body):
            seen += line.chars
            text = line.text
            if line.index in boxed:
                continue
            if is_stop_line(text) and seen / total > 0.5:
                box = inline_box(body, position, container, shapes)
                if not box:
                    end = line.index - 1
                    break
                boxed.update(box)
                continue
            if in_chrome_box(line.owner, container) or is_stop_line(text):
                continue
            if line.link_share > _LINK_LINE_SHARE and line.chars < 60:
                continue
            if not paragraphs and self._opening_chrome(line, container, text):
                key_points = key_points or is_key_points_label(text)
                continue
            if not paragraphs and restated_below(body, position):
                continue  # a lead box restating a paragraph of the text word for word
            if not paragraphs and is_label_row(line):
                continue  # an information table's row (索引号： …) above the text
            if key_points and in_list_item(line.owner, container):
                continue  # the points listed under a 划重点： label
            key_points = False
            # Widgets set inline with the text they stand by: a player's autoplay switch above
            # the first paragraph, a slideshow's counter opening a caption.
            if not paragraphs:
                text = strip_autoplay(text, line.spaced)
            if line.index in captions:
                text = strip_photo_counter(text, line.spaced)
            if headline and text == headline:
                continue
            if is_noise_line(text) or ("\ufffd" in text and not has_han(text.replace("\ufffd", ""))):
                continue
            if is_file_line(text) or (is_attachment_label(text) and _over_files(body, position)):
                continue  # an attachment list: files to download, not text
            edition = _PRINT_EDITION.match(text)
            if edition:
                self.print_edition = edition  # 《人民日报》（2024年06月24日 11版）: where it was printed
                continue
            if self._is_credit(text) or (paragraphs and _is_dated_meta(text)):
                credits.append(line.spaced)
                continue
            paragraphs.append(text)
            shapes.add(paragraph_shape(line))
            if tag_of(line.owner) == "tr":
                rows.add(len(paragraphs) - 1)
            last = line
        if last is not None:
            # A back link (返回, 返回顶部) set inline after the last paragraph.
            paragraphs[-1] = strip_back_link(paragraphs[-1], last.spaced)
        # Credits inside the text: a dateline credit opening the body, a credit closing it.
        for paragraph in paragraphs[:2]:
            credit = lead_credit(paragraph)
            if credit:
                credits.insert(0, credit)
                break
        while len(paragraphs) > 1 and len(paragraphs) - 1 not in rows:  # a row of names is data
            # A closing sign-off standing as the last paragraph: （袁源）, 张三 李四.
            credit = sign_off(paragraphs[-1])
            if credit is None:
                break
            credits.append(credit)
            paragraphs.pop()
        for paragraph in paragraphs[-2:]:
            credit = tail_credit(paragraph)
            if credit:
                credits.append(credit)
        for paragraph in paragraphs:
            credit = trailing_credit(paragraph)
            if credit and len(paragraph) <= 80:
                credits.append(credit)  # a photo credit closing a caption: （刘通摄）
        return paragraphs, credits, end

    def _traditional(self, headline: str | None, paragraphs: list[str]) -> bool:
        """A page in Traditional script, or one that says so (``lang="zh-TW"``) and is not in
        Simplified script: where a bare three-digit year is a Minguo year."""
        script = detect_script(headline or "", *paragraphs[:5])
        if script is not None:
            return script == "zh-Hant"
        root = self.page.root
        return root is not None and bool(_TRADITIONAL_LANG.match(root.get("lang") or ""))

    @staticmethod
    def _opening_chrome(line: Line, container: Any, text: str) -> bool:
        """A line above the first paragraph that is not text: a summary box (<div
        class="introduction">), a key-points label (划重点：) or a video player's title."""
        if in_summary_box(line.owner, container) or is_key_points_label(text):
            return True
        return in_player_box(line.owner, container) and line.chars <= 40 and not SENTENCE.search(text)

    @staticmethod
    def _is_credit(text: str) -> bool:
        text = join_spaced_labels(text)  # 编 辑：张三, its label spaced out to line up with others
        if is_credit_line(text):
            return True
        # Standalone credit lines that open with an outlet or end with a label: 新京报记者 陆一夫.
        if len(text) > 40 or SENTENCE.search(text) or not has_credit_role(text) or TIME_PATTERN.search(text):
            return False
        byline = parse_byline(tidy_byline(text))
        return bool(byline.reporters or byline.editors)

    def _bylines(self, lines: list[Line], headline_index: int, body_start: int) -> list[str]:
        """The meta lines after the headline (up to the body), or just above the body."""
        if headline_index >= 0:
            stop = body_start if body_start > headline_index else len(lines)
            window = lines[headline_index + 1 : min(stop, headline_index + 1 + BYLINE_WINDOW)]
        else:
            window = lines[max(0, body_start - BYLINE_WINDOW) : body_start]
        items = _header_items(window)
        # A byline standing alone in the header (河畔新闻记者 吴晓东) is a meta line without a time.
        return [item.spaced for item in items if is_meta_line(item.spaced) or self._is_credit(item.text)]

    def _trailing_credits(self, lines: list[Line], body_end: int) -> list[str]:
        """Credit lines right after the body, up to the first related-stories or comment box."""
        found = []
        past_box = False
        for line in lines[body_end + 1 : body_end + 1 + CREDIT_WINDOW]:
            text = join_spaced_labels(line.spaced)
            if is_stop_line(line.text) and (line.chars <= 10 or tag_of(line.owner) in HEADINGS):
                # A related-stories box may sit between the body and its editor line: past it,
                # only a line opening with a credit label counts, never a story title.
                past_box = True
                continue
            if line.chars > MAX_CREDIT_LENGTH or line.link_share > 0.5 or SENTENCE.search(text):
                continue
            if is_credit_line(text) or (
                not past_box and has_credit_role(text) and re.search(r"[:：/|丨]", text)
            ):
                found.append(text)
        return found

    def _time(self, meta: Metadata, bylines: list[str], credits: list[str], below: list[str],
              lines: list[Line], headline_index: int, body_start: int) -> str | None:
        visible = None
        for text in bylines + [t for t in credits if TIME_LABELLED.search(t)] + below:
            visible = shown_time(text)
            if visible:
                break
        if visible is None:
            # A labelled time anywhere near the article (发布日期：… below the body).
            for line in lines[max(0, headline_index): body_start + 400]:
                if line.chars <= MAX_BYLINE_LENGTH and TIME_LABELLED.search(line.spaced):
                    visible = shown_time(line.spaced)
                    if visible:
                        break
        if visible is None and headline_index > 0:
            # A government portal's information table set above the headline (发布日期：…).
            # Its labels and values may stand in cells of their own (<td>发布日期：</td><td>…</td>).
            above = _header_items(lines[max(0, headline_index - BYLINE_WINDOW) : headline_index])
            for item in above:
                if item.chars <= MAX_BYLINE_LENGTH and PUBLISHED_LABELLED.search(item.spaced):
                    visible = shown_time(item.spaced)
                    if visible:
                        break
        if visible is None and not [t for t in meta.times if TIME_PATTERN.search(t)]:
            # Only the date the document was written (成文日期), and no metadata: still its date.
            near = _header_items(lines[max(0, headline_index - BYLINE_WINDOW) : body_start + 400])
            visible = next(filter(None, (drafted_time(t) for t in bylines + [i.spaced for i in near])), None)
        if visible is None:
            # Metadata alone: a CMS's end-of-day placeholder (2007-08-20-23:59:59) is no
            # publication time unless the page shows that date itself.
            times = [t for t in meta.times if not PLACEHOLDER_CLOCK.search(t) or date_shown(t, lines)]
            if meta.times:
                return reconcile_times(None, times, meta.modified)
            # No time at all but an update time (更新时间：…): the last resort, a late bound.
            near = _header_items(lines[max(0, headline_index - BYLINE_WINDOW) : body_start + 400])
            return next(filter(None, (updated_time(t) for t in bylines + [i.spaced for i in near])), None)
        return reconcile_times(visible, meta.times, meta.modified, meta.machine)


def _after_repeated_deck(body: list[Line], trimmed: list[Line], subtitle: str | None) -> list[Line]:
    """The body without the deck a print layout repeats under the headline it repeats at the top
    of the text: the page's subtitle, or a line opening on a dash (——记…). Only where the
    headline block was repeated (``trimmed`` is shorter than ``body``): elsewhere a short line
    opening the text is its own."""
    if len(trimmed) == len(body) or not trimmed:
        return trimmed
    line = trimmed[0]
    if line.chars > 60 or "。" in line.text:
        return trimmed
    if (subtitle and title_key(line.text) == title_key(subtitle)) or SUBHEADLINE.match(line.text):
        return trimmed[1:]
    return trimmed


def _over_files(body: list[Line], position: int) -> bool:
    """True when an attachment label heads files (links, file names) or closes the text; the
    label over the annexe's own title and text is the document's."""
    if position + 1 >= len(body):
        return True
    following = body[position + 1]
    return following.link_share > _LINK_LINE_SHARE or is_file_line(following.text)


_YEAR = re.compile(r"\d{4}")


def _is_dated_meta(text: str) -> bool:
    """A meta line holding a dated time and a labelled field (2024-05-18 09:30 来源：青山日报 作者：李明):
    set inside the text's block after its paragraphs, it is no paragraph but the article's meta
    line. A date alone (a notice's 2024年5月16日 under its signature) stays text."""
    if len(text) > MAX_CREDIT_LENGTH or not has_credit_role(text):
        return False
    time = TIME_PATTERN.search(text)
    return time is not None and bool(_YEAR.search(time.group(0))) and is_meta_line(text)


def _table_source(window: list[Line]) -> list[str]:
    """The 来源 row of a government portal's information table set above the headline, its
    labels and values in cells of their own (发布日期：… 来源：…): only where the window holds the
    table's publication date, so a 来源 in a top bar or a list of stories is never read."""
    items = [item.spaced for item in _header_items(window) if item.chars <= MAX_BYLINE_LENGTH]
    if not any(PUBLISHED_LABELLED.search(text) for text in items):
        return []
    return [tidy_byline(text) for text in items if _SOURCE_FIRST.match(text)]


def _header_items(window: list[Line]) -> list[Line]:
    """The lines of ``window`` with meta rows split across sibling blocks read as one item each."""
    items = []
    index = 0
    while index < len(window):
        item, taken = header_item(window, index)
        items.append(item)
        index += taken
    return items


# The language tags of Traditional-script Chinese that date by the Minguo era (Taiwan's).
_TRADITIONAL_LANG = re.compile(r"^\s*zh[-_](?:TW|Hant)\b", re.IGNORECASE)

# A recorded source that carries its own label (来源：青山网-青山日报).
_SOURCE_FIRST = re.compile(rf"^\s*(?:{alternation(SOURCE_LABELS)})\s*[:：]")

# A line mostly of link text (a link list's item, a download) is no paragraph.
_LINK_LINE_SHARE = 0.6
# How many lines below the body an unlabelled byline slot may stand.
_SLOTS_AFTER_BODY = 4
# A web article's note of where it was printed: 《 人民日报 》（ 2024年06月24日 11 版）.
_PRINT_EDITION = re.compile(
    r"^[（(]?\s*《\s*(?P<paper>[^《》]{2,16}?)\s*》\s*[（(]\s*(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"\s*(?:第\s*)?(?P<page>[A-Za-z]?\d{1,3}\s*版)\s*[)）]\s*[)）]?$"
)
