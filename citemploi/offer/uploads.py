"""data·inclusion files kept between the preview and the import, in a private folder: MEDIA_ROOT/offer-imports.

Each upload (a services file and, optionally, a structures file) is a folder named after a random token that the
web screens keep in the user's session. The folder is deleted after the import; the ones left behind are
purged after UPLOAD_TTL by a periodic task. Nothing in it is meant to be served.
"""

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from citemploi.offer.importing import EXTENSIONS, ImportFileError, UploadedFile

UPLOAD_TTL = timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def upload_root() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "offer-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _safe_name(filename: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportFileError(
            f"« {name} » : format non reconnu. Les fichiers data·inclusion sont en .json ou en .csv."
        )
    return name


def store(files: dict[str, tuple[Iterable[bytes], str]]) -> str:
    """Keep the files ({role: (chunks, original name)}) under a new token; returns the token."""
    limit = int(settings.IMPORT_MAX_BYTES)
    token = secrets.token_urlsafe(24)
    folder = upload_root() / token
    folder.mkdir(mode=0o700)
    try:
        for role, (chunks, filename) in files.items():
            name = _safe_name(filename)
            size = 0
            fd = os.open(
                folder / f"{role}{Path(name).suffix.lower()}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise ImportFileError(
                            f"Fichier trop volumineux : {limit // (1024 * 1024)} Mo au plus."
                        )
                    out.write(chunk)
            (folder / f"{role}.name").write_text(name, encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token


def _folder(token: str) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    folder = upload_root() / token
    if not folder.is_dir():
        return None
    if time.time() - folder.stat().st_mtime > UPLOAD_TTL.total_seconds():
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return folder


def load(token: str, role: str) -> UploadedFile | None:
    """The file kept for a role ("services", "structures") under a token, if any and not expired."""
    folder = _folder(token)
    if folder is None:
        return None
    for suffix in EXTENSIONS:
        path = folder / f"{role}{suffix}"
        if path.is_file():
            name_file = folder / f"{role}.name"
            name = name_file.read_text(encoding="utf-8") if name_file.exists() else path.name
            return UploadedFile(content=path.read_bytes(), filename=name)
    return None


def exists(token: str) -> bool:
    return _folder(token) is not None


def delete(token: str) -> None:
    folder = _folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def purge_expired_uploads(max_age: timedelta = UPLOAD_TTL, now: float | None = None) -> int:
    """Delete the uploads older than `max_age`; returns how many were deleted."""
    root = Path(settings.MEDIA_ROOT) / "offer-imports"
    if not root.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - max_age.total_seconds()
    deleted = 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder)
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted
