"""Uploaded lists kept between the import steps, their expiry, and the overview of a file's columns."""

import os
import stat
import time
from datetime import timedelta

import pytest

from citemploi.people.importing import file_overview
from citemploi.people.importing.reading import ImportFileError
from citemploi.people.importing.uploads import (
    delete_upload,
    purge_expired_uploads,
    store_upload,
    upload_dir,
    upload_path,
)
from tests.people.import_files import HEADER, csv_file, people, xlsx_file


def _age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_an_upload_is_stored_privately_under_a_random_token(settings):
    stored = store_upload([b"Nom;", b"Pr\xc3\xa9nom\n"], "C:\\Partenaires\\liste.csv")
    assert stored.filename == "liste.csv" and len(stored.token) == 32
    assert stored.path == upload_dir() / f"{stored.token}.csv"
    assert stored.path.read_bytes() == "Nom;Prénom\n".encode()
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(upload_dir().stat().st_mode) == 0o700
    assert str(upload_dir()).startswith(str(settings.MEDIA_ROOT))
    assert upload_path(stored.token) == stored.path
    assert store_upload([b"x"], "liste.csv").token != stored.token
    delete_upload(stored.token)
    assert upload_path(stored.token) is None and not stored.path.exists()


def test_refused_uploads_leave_nothing(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ImportFileError, match="trop volumineux"):
        store_upload([b"0123456789", b"0"], "liste.csv")
    with pytest.raises(ImportFileError, match="choisissez un fichier .csv ou .xlsx"):
        store_upload([b"x"], "liste.exe")
    with pytest.raises(ImportFileError, match="vide"):
        store_upload([], "liste.csv")
    assert list(upload_dir().iterdir()) == []


@pytest.mark.parametrize("token", ["", "abc", "../" * 11 + "x", "a" * 31 + "/", None, 42])
def test_only_well_formed_tokens_name_a_file(token):
    assert upload_path(token) is None


def test_purge_removes_files_older_than_24_hours_only():
    old = store_upload([b"a"], "ancienne.csv")
    recent = store_upload([b"b"], "recente.xlsx")
    _age(old.path, 25)
    _age(recent.path, 23)
    assert purge_expired_uploads() == 1
    assert not old.path.exists() and recent.path.exists()
    assert purge_expired_uploads(max_age=timedelta(hours=1)) == 1
    assert list(upload_dir().iterdir()) == []


def test_purge_without_folder_does_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "nowhere"
    assert purge_expired_uploads() == 0


def test_an_expired_upload_is_not_found_and_is_deleted():
    stored = store_upload([b"a"], "liste.csv")
    _age(stored.path, 24.5)
    assert upload_path(stored.token) is None and not stored.path.exists()


def test_overview_gives_the_columns_and_a_few_values_of_each():
    data = csv_file(people(5) + [people(1)[0]], header=HEADER)
    overview = file_overview(data, "liste.csv")
    assert overview.columns == HEADER and overview.kind == "csv"
    assert overview.samples[0] == ["Martin-0", "Martin-1", "Martin-2"]
    assert overview.samples[6] == ["non"]  # distinct values only


def test_overview_of_a_workbook_reads_the_chosen_sheet_and_formats_dates():
    from datetime import datetime

    data = xlsx_file(
        [["Dupont", "Jean", datetime(1990, 2, 1)]], header=["Nom", "Prénom", "DDN"], before={"Notes": [["x"]]}
    )
    overview = file_overview(data, "liste.xlsx", sheet="Personnes")
    assert overview.samples == [["Dupont"], ["Jean"], ["01/02/1990"]]
    assert overview.sheet == "Personnes" and overview.sheet_names == ["Notes", "Personnes"]
