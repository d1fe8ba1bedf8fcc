"""Housekeeping of the documents joined to the files: stored files that no document row references.

A file can be left without its row when the upload's transaction is rolled back after the file was written
(an error later in the same request), or when the process stops between the deletion of a row and the
deletion of its file (done on commit). Such a file holds a holder's papers (statutes, bank details) that
nobody can reach any more: it is deleted.

A file is deleted only when no row references it, checked again just before deleting it, and when it is
older than the grace period (an upload whose row is being written right now is never touched). The files
have random names under `calls/<call>/<file>/` (see models.application._document_path); nothing outside
`calls/` is looked at. There are no temporary uploads in the calls: a document is a row from its upload on.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.utils import timezone

from citemploi.calls.models import ApplicationDocument

ROOT = "calls"
#: files younger than this are kept even without a row (their upload may still be committing)
GRACE = timedelta(hours=24)


@dataclass
class PurgeResult:
    scanned: int = 0
    referenced: int = 0
    recent: int = 0
    #: the orphan files deleted (or that would be, in a dry run)
    orphans: list[str] = field(default_factory=list)
    dry_run: bool = False


def document_storage() -> Storage:
    return ApplicationDocument._meta.get_field("file").storage  # type: ignore[attr-defined,no-any-return]


def _walk(storage: Storage, path: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{path}/{name}"
    for name in sorted(directories):
        yield from _walk(storage, f"{path}/{name}")


def purge_orphan_documents(
    *, dry_run: bool = False, now: datetime | None = None, grace: timedelta = GRACE
) -> PurgeResult:
    """Delete the stored files of `calls/` that no document row references (older than `grace`).
    With `dry_run`, only list them."""
    storage = document_storage()
    now = now or timezone.now()
    referenced = set(ApplicationDocument.objects.values_list("file", flat=True))
    result = PurgeResult(dry_run=dry_run)
    for name in _walk(storage, ROOT):
        result.scanned += 1
        if name in referenced:
            result.referenced += 1
            continue
        modified = storage.get_modified_time(name)
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if now - modified < grace:
            result.recent += 1
            continue
        # Checked again: a row may have been committed since the list above was read.
        if ApplicationDocument.objects.filter(file=name).exists():
            result.referenced += 1
            continue
        result.orphans.append(name)
        if not dry_run:
            storage.delete(name)
    return result
