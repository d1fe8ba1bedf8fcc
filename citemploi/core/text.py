import re
import unicodedata

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation and repeated spaces collapsed: for matching names."""
    if text and text.isascii():
        # Nothing to decompose nor to replace (the import folds two names a line: this halves its cost).
        return _NOT_ALPHANUMERIC.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    cleaned = _NOT_ALPHANUMERIC.sub(" ", stripped.lower())
    return cleaned.strip()
