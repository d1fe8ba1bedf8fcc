"""Every upload is checked by its content (citemploi.core.uploads), not only by its name."""

import io
import json
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from citemploi.calls.models import ApplicationDocument
from citemploi.core import uploads
from citemploi.core.uploads import UploadRefused, check_content
from citemploi.diagnostic.models import QPVReference
from citemploi.offer.models import Service
from tests.calls.factories import PDF, ApplicationFactory, CallFactory
from tests.conftest import login_as

ALL = tuple(uploads.FILE_TYPES)
MB = 1024 * 1024
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run"
)


def xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["nom", "prénom"])
    wb.active.append(["Martin", "Léa"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (name, content) in enumerate(members.items()):
            kind = zipfile.ZIP_STORED if first_stored and n == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    return out.getvalue()


def xlsx_bomb() -> bytes:
    """A workbook whose sheet expands 30 Mio of spaces from a few dozen kio (ratio ~1000)."""
    return zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * (30 * MB) + b"</worksheet>",
        }
    )


# --- The checks themselves ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("statuts.pdf", PDF),
        ("budget.xlsx", xlsx()),
        ("photo.png", png()),
        ("liste.csv", "nom;prénom\nMartin;Léa\n".encode("cp1252")),
        ("services.json", b'\xef\xbb\xbf[{"id": "1"}]'),
        (
            "compte.ods",
            zip_of(
                {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
                first_stored=True,
            ),
        ),
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ],
)
def test_real_small_files_are_accepted(name, data):
    checked = check_content(data, name, extensions=ALL, max_bytes=MB)
    assert checked.size == len(data) and checked.name == name
    assert checked.content_type == uploads.FILE_TYPES[checked.extension].content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("statuts.pdf", EXE, "n'est pas un document PDF"),
        ("statuts.pdf", b"%PDF-1.7\n1 0 obj", "incomplet ou endommagé"),
        ("photo.png", EXE, "n'est pas une image PNG"),
        ("photo.png", png()[:40], "endommagée ou illisible"),
        ("photo.jpg", png(), "n'est pas une image JPEG"),
        ("budget.xlsx", EXE, "n'est pas un classeur Excel (.xlsx)"),
        ("budget.xlsx", b"PK\x03\x04 truncated", "endommagé"),
        ("budget.xlsx", zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}), "valide"),
        ("note.docx", xlsx(), "n'est pas un document Word (.docx) valide"),
        ("compte.ods", zip_of({"mimetype": b"application/zip", "content.xml": b"<x/>"}), "OpenDocument"),
        ("budget.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "Office 97-2003"),
        ("ancien.doc", PDF, "Word 97-2003"),
        ("liste.csv", EXE, "données binaires"),
        ("liste.csv", xlsx(), "classeur ou une archive"),
        ("liste.csv", "nom\n".encode("utf-16"), "UTF-16"),
        ("liste.csv", b"nom;\x81\x8d\x8f\x90\x9d\n\xff\xfe", "encodage"),
        ("services.json", b"nom;prenom\n", "n'est pas un fichier JSON"),
        ("programme.exe", EXE, "Format refusé : PDF"),
        ("vide.pdf", b"", "Le fichier est vide"),
        ("gros.pdf", b"%PDF-" + b"x" * MB + b"%%EOF", "trop volumineux"),
    ],
)
def test_content_that_does_not_match_is_refused_with_a_french_message(name, data, message):
    with pytest.raises(UploadRefused) as refused:
        check_content(data, name, extensions=ALL, max_bytes=MB)
    assert message in refused.value.message


def test_zip_bombs_are_refused_before_anything_is_inflated():
    with pytest.raises(UploadRefused, match="anormalement compressé"):
        check_content(xlsx_bomb(), "budget.xlsx", extensions=ALL, max_bytes=10 * MB)
    with pytest.raises(UploadRefused, match="décompressé occuperait 30 Mo"):
        check_content(xlsx_bomb(), "budget.xlsx", extensions=ALL, max_bytes=MB)
    # A lot of members or a huge declared size, each member compressing normally.
    many = [zipfile.ZipInfo(f"xl/m{i}.xml") for i in range(uploads.ZIP_MAX_MEMBERS + 1)]
    with pytest.raises(UploadRefused, match="trop d'éléments"):
        uploads.check_zip_members(many, max_bytes=MB, label="classeur")
    big = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
    big.file_size, big.compress_size = 26 * MB, 13 * MB
    with pytest.raises(UploadRefused, match="décompressé occuperait 26 Mo"):
        uploads.check_zip_members([big], max_bytes=MB, label="classeur")
    encrypted = zipfile.ZipInfo("xl/workbook.xml")
    encrypted.flag_bits |= 0x1
    with pytest.raises(UploadRefused, match="mot de passe"):
        uploads.check_zip_members([encrypted], max_bytes=MB, label="classeur")


def test_an_image_bomb_is_refused():
    """A valid PNG whose header claims 100 000 × 100 000 pixels (a few bytes, gigabytes once decoded)."""
    small = png((1, 1))
    chunk = b"IHDR" + struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    forged = small[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + small[33:]
    with pytest.raises(UploadRefused, match="trop grande"):
        check_content(forged, "photo.png", extensions=ALL, max_bytes=MB)


def test_the_extensions_of_each_upload_are_its_own():
    with pytest.raises(UploadRefused, match="Format refusé : CSV seulement"):
        check_content(PDF, "statuts.pdf", extensions=(".csv",), max_bytes=MB)


# --- Every upload form uses them ---------------------------------------------------------------------------


@pytest.fixture
def draft(world):
    return ApplicationFactory(
        call=CallFactory(cite=world.cite), holder=world.asso, complete=True, filled=True
    )


def _post_document(client, app, name: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        f"/appels-a-projets/dossiers/{app.pk}/rubriques/pieces/", {"kind": "autre", "file": upload}
    )


def test_call_documents_are_checked_by_content(client, world, draft):
    login_as(client, world.holder)
    before = ApplicationDocument.objects.count()
    refused = _post_document(client, draft, "statuts.pdf", EXE)
    assert refused.status_code == 200 and "n&#x27;est pas un document PDF" in refused.content.decode()
    refused = _post_document(client, draft, "budget.xlsx", xlsx_bomb())
    assert refused.status_code == 200 and "anormalement compressé" in refused.content.decode()
    assert ApplicationDocument.objects.count() == before
    assert _post_document(client, draft, "budget.xlsx", xlsx()).status_code == 302
    assert _post_document(client, draft, "statuts.pdf", PDF).status_code == 302
    added = ApplicationDocument.objects.filter(application=draft).order_by("-pk")[:2]
    assert [d.content_type for d in added] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]


def test_people_imports_refuse_a_zip_bomb_and_a_binary_csv(client, world):
    login_as(client, world.referent_ft)
    url = reverse("imports:people")
    bomb = client.post(url, {"file": SimpleUploadedFile("liste.xlsx", xlsx_bomb())})
    assert bomb.status_code == 200 and "anormalement compressé" in bomb.content.decode()
    binary = client.post(url, {"file": SimpleUploadedFile("liste.csv", EXE)})
    assert binary.status_code == 200 and "données binaires" in binary.content.decode()


def test_the_people_reader_refuses_a_zip_bomb_too():
    from citemploi.people.importing.reading import ImportFileError, check_xlsx_archive

    with pytest.raises(ImportFileError, match="anormalement compressé"):
        check_xlsx_archive(xlsx_bomb())


def test_data_inclusion_imports_must_be_json_or_csv_text(client, world):
    login_as(client, world.coordinator)
    fake = SimpleUploadedFile("services.json", EXE)
    response = client.post("/offre/import/", {"services_file": fake})
    assert response.status_code == 200 and "données binaires" in response.content.decode()
    not_json = SimpleUploadedFile("services.json", b"id;nom\n1;Garage\n")
    response = client.post("/offre/import/", {"services_file": not_json})
    assert "n&#x27;est pas un fichier JSON" in response.content.decode()
    assert not Service.objects.exists()
    ok = SimpleUploadedFile("services.json", json.dumps([]).encode())
    assert client.post("/offre/import/", {"services_file": ok}).status_code in (200, 302)


def test_qpv_indicator_imports_must_be_csv_text(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        reverse("diagnostic:import"), {"year": 2023, "file": SimpleUploadedFile("indicateurs.csv", EXE)}
    )
    assert response.status_code == 200 and "données binaires" in response.content.decode()
    assert not QPVReference.objects.exists()
