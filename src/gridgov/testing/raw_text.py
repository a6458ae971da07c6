"""Raw developer text on a page: what a person reading ``<main>`` should never see.

``raw_text(html)`` reads the text of a page's ``<main>`` (and the words of its ``title``, ``aria-label``,
``placeholder`` and ``alt`` attributes, which are read aloud or shown) and returns each piece of developer text
it finds: dict or list reprs, snake_case identifiers, references to the seed documents, Python's ``None`` /
``True`` / ``False``, a negative zero, node codes, and, on a zh-Hans page, English words. Text a person typed or
an installation named (a login, a merchant's own name) is data, not developer text: the template marks it with
``translate="no"`` (the HTML attribute for "not language") or shows it in ``<code>``/``<kbd>``, and it is skipped.
"""

import re
from html.parser import HTMLParser

# Words that are Chinese pages' own vocabulary: the brand, units, file formats, acronyms people say.
ALLOWED_WORDS = frozenset(
    word.lower()
    for word in """
    gridgov QR Excel xlsx API ID km kg GeoJSON JSON WGS GCJ PDF URL SMS HTTP HTTPS WeChat WPS CSV PNG JPG JPEG
    Token Bearer GIS GPS FeatureCollection
    dmsq
    """.split()  # dmsq: the pinyin initials of 东门社区, the search box's example

)

CHECKS = [
    ("a dict or list repr", re.compile(r"\{'|\['|\{\"|\[\"")),
    ("a snake_case identifier", re.compile(r"\b[a-z]+_[a-z_]+\b")),
    ("a seed reference", re.compile(r"种子文献|\bseeds?\b", re.IGNORECASE)),
    ("Python's None, True or False", re.compile(r"\b(?:None|True|False)\b")),
    ("a negative zero", re.compile(r"(?<![\d.])-0(?:\.0+)?(?![\d.])")),
]
ENGLISH_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z]{3,}(?![\w@/-])")
ADDRESSES = re.compile(r"https?://\S+|(?<![\w])/[\w./?=&%-]+")  # text that is an address, not words
SKIPPED = {"script", "style", "template", "code", "kbd", "samp", "svg"}
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class MainText(HTMLParser):
    """The pieces of text inside ``<main>``, outside skipped elements and ``translate="no"``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped from here down)
        self.in_main = False

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        skipped = (self.skipping or tag in SKIPPED or attributes.get("translate") == "no"
                   or not (attributes.get("lang") or "zh").startswith("zh"))  # a language named in its own words
        if not skipped:
            self.pieces.extend(attributes[name] for name in SPOKEN_ATTRIBUTES if attributes.get(name))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
            self.stack.clear()
            return
        for index in range(len(self.stack) - 1, -1, -1):  # forgive unclosed <p>, <li> …
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.in_main and not self.skipping and data.strip():
            self.pieces.append(data)


def main_text(html: str) -> str:
    parser = MainText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(piece.split()) for piece in parser.pieces)


def raw_text(html: str, *, chinese: bool = True, codes=()) -> list[str]:
    """Each piece of developer text in the page's ``<main>``, as "what: 'text'"; ``codes`` are the installation's
    node codes, which a page names a node by only where it says so (``translate="no"``)."""
    text = ADDRESSES.sub(" ", main_text(html))
    found = []
    checks = list(CHECKS)
    if codes:
        alternatives = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
        checks.append(("a node code", re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")))
    for what, pattern in checks:
        found.extend(f"{what}: {_around(text, match)}" for match in pattern.finditer(text))
    if chinese:
        found.extend(
            f"an English word: {_around(text, match)}"
            for match in ENGLISH_WORD.finditer(text)
            if match.group(0).lower() not in ALLOWED_WORDS
        )
    return found


def _around(text: str, match: re.Match) -> str:
    return f"{match.group(0)!r}"
