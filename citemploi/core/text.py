import re
import unicodedata


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation and repeated spaces collapsed: for matching names."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    cleaned = re.sub(r"[^a-z0-9]+", " ", stripped.lower())
    return cleaned.strip()
