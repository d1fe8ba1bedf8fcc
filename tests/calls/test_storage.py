"""The purge of stored documents that no file references: orphans older than a day go, nothing else."""

import os
from datetime import timedelta
from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from citemploi.calls import tasks
from citemploi.calls.storage import GRACE, document_storage, purge_orphan_documents
from tests.calls.factories import PDF, ApplicationFactory, CallFactory, attach


def _aged(name: str, hours: float) -> None:
    stamp = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(document_storage().path(name), (stamp, stamp))


def _orphan(name: str, hours: float) -> str:
    saved = document_storage().save(name, ContentFile(PDF))
    _aged(saved, hours)
    return saved


def test_only_old_unreferenced_files_are_deleted(world):
    storage = document_storage()
    app = ApplicationFactory(call=CallFactory(cite=world.cite), holder=world.asso)
    kept = attach(app, "rib")
    _aged(kept.file.name, 24 * 30)  # an old document still referenced: never deleted
    old = _orphan(f"calls/{app.call_id}/{app.pk}/left-by-a-rollback", 48)
    elsewhere = _orphan("calls/999/999/deleted-row", 25)
    recent = _orphan(f"calls/{app.call_id}/{app.pk}/upload-in-progress", 1)
    outside = _orphan("imports/not-ours", 100)

    dry = purge_orphan_documents(dry_run=True)
    assert dry.dry_run and sorted(dry.orphans) == sorted([old, elsewhere])
    assert all(storage.exists(n) for n in (old, elsewhere, recent, outside, kept.file.name))

    result = purge_orphan_documents()
    assert sorted(result.orphans) == sorted([old, elsewhere])
    assert (result.scanned, result.referenced, result.recent) == (4, 1, 1)
    assert not storage.exists(old) and not storage.exists(elsewhere)
    assert storage.exists(recent) and storage.exists(outside) and storage.exists(kept.file.name)
    kept.refresh_from_db()
    with kept.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF")


def test_the_grace_period_is_a_parameter(world):
    recent = _orphan("calls/1/1/recent", 2)
    assert purge_orphan_documents(dry_run=True).orphans == []
    assert purge_orphan_documents(dry_run=True, grace=timedelta(hours=1)).orphans == [recent]
    assert GRACE == timedelta(hours=24)


def test_an_empty_storage_is_fine(world):
    result = purge_orphan_documents()
    assert (result.scanned, result.orphans) == (0, [])


def test_the_periodic_task_and_the_command(world):
    from citemploi.core.periodic import JOBS

    assert JOBS["calls.purge_orphan_documents"].every == "daily"
    orphan = _orphan("calls/5/5/orphan", 30)
    out = StringIO()
    call_command("calls_purge_documents", "--dry-run", stdout=out)
    assert f"à supprimer : {orphan}" in out.getvalue() and document_storage().exists(orphan)
    assert tasks.purge_orphan_documents.call() == {"scanned": 1, "deleted": 1, "recent": 0}
    assert not document_storage().exists(orphan)
