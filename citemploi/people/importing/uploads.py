"""Uploaded lists kept between the steps of an import, in a private folder: MEDIA_ROOT/imports.

Each file is named after a random token (the web screens keep it in the user's session, which is what
ties a file to its user). Files are deleted after the import, and `purge_expired_uploads` removes those
older than UPLOAD_TTL (run it periodically from the worker). The folder must not be served by the web
server: nothing in it is meant to be downloaded.
"""

import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from citemploi.people.importing.reading import ImportFileError, check_size, extension_of, max_bytes

UPLOAD_TTL = timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class StoredUpload:
    token: str
    path: Path
    filename: str


def upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_upload(chunks: Iterable[bytes], filename: str) -> StoredUpload:
    """Write an uploaded file under a new token; ImportFileError (nothing kept) on a bad extension or size."""
    ext = extension_of(filename)
    token = secrets.token_urlsafe(24)
    path = upload_dir() / f"{token}{ext}"
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes():
                    break
                out.write(chunk)
        check_size(size)
    except (ImportFileError, OSError):
        path.unlink(missing_ok=True)
        raise
    return StoredUpload(token=token, path=path, filename=Path(filename.replace("\\", "/")).name)


def upload_path(token: str) -> Path | None:
    """The stored file of a token, if it exists and has not expired."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    for ext in (".csv", ".xlsx"):
        path = upload_dir() / f"{token}{ext}"
        if path.exists():
            if time.time() - path.stat().st_mtime > UPLOAD_TTL.total_seconds():
                path.unlink(missing_ok=True)
                return None
            return path
    return None


def delete_upload(token: str) -> None:
    path = upload_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_expired_uploads(max_age: timedelta = UPLOAD_TTL, now: float | None = None) -> int:
    """Delete the uploaded lists older than `max_age`; returns how many were deleted."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    if not folder.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - max_age.total_seconds()
    deleted = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile by the import itself
            continue
    return deleted
