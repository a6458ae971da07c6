"""Pinyin initials, so a cadre can find 东门社区 by typing ``dmsq``."""

from pypinyin import Style, lazy_pinyin


def initials_of(text: str) -> str:
    """Lower-case first letters of each syllable; letters and digits in ``text`` are kept as they are."""
    return "".join(part[:1] for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
