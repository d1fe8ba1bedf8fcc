"""Uploaded files checked by their content, not by their name: one place for every upload of the site.

`check_upload(upload, extensions=..., max_bytes=...)` refuses, with a French message the user can act on
(UploadRefused, a ValidationError, so that a form shows it under its field):

- an extension that is not accepted for this upload, an empty file, a file over `max_bytes`;
- content that is not what the extension says:
  - PDF: starts with `%PDF-` and has an end-of-file marker `%%EOF`;
  - PNG, JPEG: their signature, then Pillow reads the header and checks the whole image (`verify`), and an
    image of more than MAX_IMAGE_PIXELS pixels (an image bomb) is refused;
  - XLSX, DOCX, ODS, ODT: a zip archive with the members of that format (`xl/workbook.xml`,
    `word/document.xml`, `mimetype` naming the OpenDocument type…), no encrypted member, and no zip bomb:
    the declared uncompressed size of all members is at most ZIP_MAX_EXPANSION × max_bytes, no member
    expands more than ZIP_MAX_RATIO times (beyond 1 Mio), at most ZIP_MAX_MEMBERS members. These are read
    from the zip's directory before anything is decompressed (Python's zipfile never inflates a member past
    its declared size: a member lying about it fails its CRC check instead of filling the memory);
  - DOC, XLS: the OLE2 compound-file signature;
  - CSV: text (no NUL byte) in UTF-8 or Windows-1252; a zip or Excel file renamed .csv is refused;
  - JSON: text in UTF-8 (or Windows-1252) starting with `{` or `[`.

The file object is rewound after the check. The importers re-check what they parse (citemploi.people.importing,
citemploi.offer.importing); this module is the first gate, used by every form that accepts a file.
"""

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError

#: an archive may expand to at most this many times the upload limit (all members together)
ZIP_MAX_EXPANSION = 25
#: no member may expand more than this many times (a deflate bomb reaches ~1000)…
ZIP_MAX_RATIO = 200
#: …when it is larger than this once expanded (small members compress oddly without being a threat)
ZIP_RATIO_FLOOR = 1024 * 1024
ZIP_MAX_MEMBERS = 5_000
#: the largest image accepted, in pixels (a 50-megapixel photo; a small PNG can claim billions of pixels)
MAX_IMAGE_PIXELS = 50_000_000

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


class UploadRefused(ValidationError):
    """The file is refused; `message` (French) says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message, code="upload_refused")


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} Mo".replace(".", ",")
    return f"{max(1, n // 1024)} ko"


# --- Content checks, by kind -------------------------------------------------------------------------------


def _check_pdf(data: bytes, label: str, max_bytes: int) -> None:
    if not data.startswith(b"%PDF-"):
        raise UploadRefused(f"Ce fichier n'est pas un {label} : son contenu ne commence pas comme un PDF.")
    if b"%%EOF" not in data[-2048:]:
        raise UploadRefused(f"Ce {label} est incomplet ou endommagé (fin de fichier absente).")


def _check_image(signature: bytes, image_format: str) -> Callable[[bytes, str, int], None]:
    def check(data: bytes, label: str, max_bytes: int) -> None:
        if not data.startswith(signature):
            raise UploadRefused(f"Ce fichier n'est pas une {label} : son contenu ne correspond pas.")
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(
                        f"Cette image est trop grande ({image.width} × {image.height} pixels) : réduisez-la."
                    )
                image.verify()
        except UploadRefused:
            raise
        except Image.DecompressionBombError as exc:
            raise UploadRefused("Cette image est trop grande : réduisez-la.") from exc
        except Exception as exc:  # Pillow raises many kinds of errors on bad data
            raise UploadRefused(f"Cette {label} est endommagée ou illisible.") from exc

    return check


def check_zip_members(members: list[zipfile.ZipInfo], *, max_bytes: int, label: str) -> None:
    """Refuse an archive that would expand to an absurd size (zip bomb) or that is encrypted."""
    if len(members) > ZIP_MAX_MEMBERS:
        raise UploadRefused(f"Ce {label} contient trop d'éléments ({len(members)}) pour être un document.")
    limit = ZIP_MAX_EXPANSION * max_bytes
    declared = sum(m.file_size for m in members)
    if declared > limit:
        raise UploadRefused(
            f"Ce {label} décompressé occuperait {human_size(declared)} (au plus {human_size(limit)}) : "
            "il est refusé. Enregistrez le contenu utile dans un nouveau fichier."
        )
    for member in members:
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise UploadRefused(
                f"Ce {label} contient un élément anormalement compressé (« {member.filename[:80]} ») : il est "
                "refusé. Enregistrez le contenu utile dans un nouveau fichier."
            )
        if member.flag_bits & 0x1:
            raise UploadRefused(
                f"Ce {label} est protégé par un mot de passe : enregistrez-le sans mot de passe."
            )


def _check_zip(required: tuple[str, ...], mimetype: str | None = None) -> Callable[[bytes, str, int], None]:
    def check(data: bytes, label: str, max_bytes: int) -> None:
        if data.startswith(OLE2_SIGNATURE):
            raise UploadRefused(
                f"Ce fichier n'est pas un {label} : il est au format Office 97-2003 ou protégé par un mot de "
                "passe. Enregistrez-le dans le format indiqué, sans mot de passe."
            )
        if not data.startswith(ZIP_SIGNATURE):
            raise UploadRefused(
                f"Ce fichier n'est pas un {label} valide : son contenu ne correspond pas à son extension."
            )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                check_zip_members(members, max_bytes=max_bytes, label=label)
                names = {m.filename for m in members}
                if any(name not in names for name in required):
                    raise UploadRefused(
                        f"Ce fichier n'est pas un {label} valide : son contenu ne correspond pas à son extension."
                    )
                if mimetype is not None:
                    info = archive.getinfo("mimetype")
                    if info.file_size > 200 or archive.read(info).strip() != mimetype.encode():
                        raise UploadRefused(
                            f"Ce fichier n'est pas un {label} : son contenu ne correspond pas à son extension."
                        )
        except UploadRefused:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            raise UploadRefused(f"Ce {label} est endommagé (archive illisible).") from exc

    return check


def _check_ole2(data: bytes, label: str, max_bytes: int) -> None:
    if not data.startswith(OLE2_SIGNATURE):
        raise UploadRefused(
            f"Ce fichier n'est pas un {label} : son contenu ne correspond pas à son extension."
        )


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without BOM) or Windows-1252; UploadRefused for anything else."""
    if data.startswith(ZIP_SIGNATURE):
        raise UploadRefused(
            "Ce fichier est en réalité un classeur ou une archive (zip) : renommez-le en .xlsx ou enregistrez-le "
            "au format texte attendu depuis votre tableur."
        )
    if data.startswith(OLE2_SIGNATURE):
        raise UploadRefused(
            "Ce fichier est en réalité un classeur Excel 97-2003 : enregistrez-le au format CSV ou .xlsx."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadRefused(
            "Ce fichier est encodé en UTF-16 : enregistrez-le en « CSV UTF-8 » depuis votre tableur."
        )
    if b"\x00" in data:
        raise UploadRefused("Ce fichier n'est pas un fichier texte (il contient des données binaires).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            "L'encodage du fichier n'est pas reconnu : enregistrez-le en UTF-8 (« CSV UTF-8 » dans un tableur)."
        ) from exc


def _check_csv(data: bytes, label: str, max_bytes: int) -> None:
    decode_text(data)


def _check_json(data: bytes, label: str, max_bytes: int) -> None:
    text = decode_text(data).lstrip()
    if not text.startswith(("{", "[")):
        raise UploadRefused(
            "Ce fichier n'est pas un fichier JSON : son contenu ne commence ni par « { » ni par « [ »."
        )


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    check: Callable[[bytes, str, int], None]


_OOXML = "[Content_Types].xml"
_ODF = "application/vnd.oasis.opendocument."

#: every kind of file the site accepts, by extension
FILE_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", "document PDF", _check_pdf),
    ".png": FileType("image/png", "image PNG", _check_image(b"\x89PNG\r\n\x1a\n", "PNG")),
    ".jpg": FileType("image/jpeg", "image JPEG", _check_image(b"\xff\xd8\xff", "JPEG")),
    ".jpeg": FileType("image/jpeg", "image JPEG", _check_image(b"\xff\xd8\xff", "JPEG")),
    ".xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "classeur Excel (.xlsx)",
        _check_zip((_OOXML, "xl/workbook.xml")),
    ),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "document Word (.docx)",
        _check_zip((_OOXML, "word/document.xml")),
    ),
    ".ods": FileType(
        _ODF + "spreadsheet",
        "classeur OpenDocument (.ods)",
        _check_zip(("mimetype", "content.xml"), _ODF + "spreadsheet"),
    ),
    ".odt": FileType(
        _ODF + "text", "document OpenDocument (.odt)", _check_zip(("mimetype", "content.xml"), _ODF + "text")
    ),
    ".doc": FileType("application/msword", "document Word 97-2003 (.doc)", _check_ole2),
    ".xls": FileType("application/vnd.ms-excel", "classeur Excel 97-2003 (.xls)", _check_ole2),
    ".csv": FileType("text/csv", "fichier CSV", _check_csv),
    ".json": FileType("application/json", "fichier JSON", _check_json),
}


def _extensions_label(extensions: Iterable[str]) -> str:
    return ", ".join(e.lstrip(".").upper() for e in extensions)


def check_content(data: bytes, filename: str, *, extensions: Iterable[str], max_bytes: int) -> CheckedUpload:
    """Check a file held in memory; UploadRefused (French message) when it is refused."""
    allowed = tuple(e.lower() for e in extensions)
    name = Path((filename or "fichier").replace("\\", "/")).name[:200]
    ext = Path(name).suffix.lower()
    if ext not in allowed or ext not in FILE_TYPES:
        raise UploadRefused(f"Format refusé : {_extensions_label(allowed)} seulement.")
    size = len(data)
    if size == 0:
        raise UploadRefused("Le fichier est vide.")
    if size > max_bytes:
        raise UploadRefused(
            f"Le fichier est trop volumineux ({human_size(size)}) : {human_size(max_bytes)} au plus."
        )
    kind = FILE_TYPES[ext]
    kind.check(data, kind.label, max_bytes)
    return CheckedUpload(name=name, extension=ext, content_type=kind.content_type, size=size)


def check_upload(upload: Any, *, extensions: Iterable[str], max_bytes: int) -> CheckedUpload:
    """Check an uploaded file (Django's UploadedFile or any file object with a name); rewinds it."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRefused(
            f"Le fichier est trop volumineux ({human_size(size)}) : {human_size(max_bytes)} au plus."
        )
    stream: IO[bytes] = upload
    stream.seek(0)
    data = stream.read(max_bytes + 1)
    stream.seek(0)
    return check_content(data, getattr(upload, "name", "") or "", extensions=extensions, max_bytes=max_bytes)
