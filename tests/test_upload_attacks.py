"""Hostile uploads: files that lie about their type, polyglots, active PDFs, oversized, too many, empty,
and names with path tricks. Each is refused with a clear message and nothing is saved (no appeal, no file),
through the service and through the page; a hostile name is only ever shown, never used as a path."""

import io
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ashyq.dialogue.models import Appeal, Attachment


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_with(catalog: bytes, objects: bytes = b"") -> bytes:
    """A small PDF without a cross-reference table (readers rebuild it): `catalog` is added to the catalog."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R" + catalog + b">>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[9 0 R]/Count 1>>endobj\n"
        b"9 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n" + objects + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


PDF = pdf_with(b"")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'

REFUSED = {
    # name, bytes, browser's content type, words of the message
    "exe-named-pdf": ("scan.pdf", EXE, "application/pdf", "is not a PDF, JPEG or PNG"),
    "exe-named-png": ("photo.png", EXE, "image/png", "is not a PDF, JPEG or PNG"),
    "html-named-png": ("photo.png", HTML, "image/png", "is not a PDF, JPEG or PNG"),
    "svg-named-png": ("photo.png", SVG, "image/png", "is not a PDF, JPEG or PNG"),
    "svg": ("drawing.svg", SVG, "image/svg+xml", "is not a PDF, JPEG or PNG"),
    "html-named-pdf": ("letter.pdf", HTML, "application/pdf", "is not a PDF, JPEG or PNG"),
    "gif-named-png": (
        "anim.png",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "image/png",
        "is not a PDF, JPEG or PNG",
    ),
    "truncated-png": ("cut.png", png()[:40], "image/png", "is not a PDF, JPEG or PNG"),
    "png-then-pdf": ("poly.png", png() + PDF, "image/png", "extra data after the end of the image"),
    "png-then-html": ("poly.png", png() + HTML, "image/png", "extra data after the end of the image"),
    "png-then-zip": ("poly.png", png() + b"PK\x03\x04" + b"\x00" * 40, "image/png", "extra data after the end of the image"),
    "jpeg-then-html": ("poly.jpg", jpeg() + HTML, "image/jpeg", "extra data after the end of the image"),
    "jpeg-then-pdf": ("poly.jpg", jpeg() + PDF, "image/jpeg", "extra data after the end of the image"),
    "pdf-js": (
        "a.pdf",
        pdf_with(b"/OpenAction 3 0 R", b"3 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"),
        "application/pdf",
        "contains scripts, actions or embedded files",
    ),
    "pdf-js-only": ("a.pdf", pdf_with(b"/AA<</O<</JS(app.alert(1))>>>>"), "application/pdf", "contains scripts"),
    "pdf-launch": ("a.pdf", pdf_with(b"/OpenAction<</S/Launch/F(cmd.exe)>>"), "application/pdf", "contains scripts"),
    "pdf-hex-escaped-name": ("a.pdf", pdf_with(b"/OpenAction<</S/J#61vaScript/J#53(x)>>"), "application/pdf", "contains scripts"),
    "pdf-embedded-file": (
        "a.pdf",
        pdf_with(b"/Names<</EmbeddedFiles 3 0 R>>", b"3 0 obj<</Names[]>>endobj"),
        "application/pdf",
        "contains scripts",
    ),
    "pdf-js-in-object-stream": (
        "a.pdf",
        pdf_with(
            b"",
            b"5 0 obj<</Type/ObjStm/Filter/FlateDecode/N 1/First 4>>stream\n"
            + zlib.compress(b"3 0 <</S/JavaScript/JS(app.alert(1))>>")
            + b"\nendstream endobj",
        ),
        "application/pdf",
        "contains scripts",
    ),
    "pdf-without-end": ("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "application/pdf", "is not a PDF, JPEG or PNG"),
    "zero-bytes": ("empty.pdf", b"", "application/pdf", "is empty"),
    "oversized": (
        "big.pdf",
        b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1 - 15) + b"\n%%EOF",
        "application/pdf",
        "larger than 10 MB",
    ),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attachments go to an empty folder, so 'nothing saved' can be checked file by file."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    return tmp_path / "media"


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_the_oversized_case_is_one_byte_over_the_limit(settings):
    assert len(REFUSED["oversized"][1]) == settings.ASHYQ_MAX_ATTACHMENT_BYTES + 1


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_files_are_refused_by_the_service(case, people, submit, media):
    name, data, content_type, message = REFUSED[case]
    with pytest.raises(ValidationError) as refused:
        submit(people["applicant"], attachments=[SimpleUploadedFile(name, data, content_type)])
    assert message in " ".join(refused.value.message_dict["attachments"])
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    assert _files(media) == []


@pytest.mark.parametrize("case", ["exe-named-png", "png-then-html", "pdf-js", "pdf-launch", "zero-bytes", "svg"])
def test_hostile_files_are_refused_by_the_page(case, client, people, media):
    name, data, content_type, message = REFUSED[case]
    client.force_login(people["applicant"])
    response = client.post(
        reverse("dialogue:new"),
        {
            "body": "anti-corruption-agency",
            "type": "report",
            "subject": "Bribe",
            "text": "Money was asked.",
            "region": "KZ-75",
            "attachments": [SimpleUploadedFile(name, data, content_type)],
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.exists() and _files(media) == []


def test_one_bad_file_among_good_ones_saves_nothing(people, submit, media):
    good = [SimpleUploadedFile("a.pdf", PDF, "application/pdf"), SimpleUploadedFile("b.png", png(), "image/png")]
    bad = SimpleUploadedFile("c.png", png() + HTML, "image/png")
    with pytest.raises(ValidationError):
        submit(people["applicant"], attachments=[*good, bad])
    assert not Appeal.objects.exists() and _files(media) == []


def test_too_many_files_are_refused(people, submit, media, settings):
    files = [SimpleUploadedFile(f"{i}.png", png(), "image/png") for i in range(settings.ASHYQ_MAX_ATTACHMENTS + 1)]
    with pytest.raises(ValidationError) as refused:
        submit(people["applicant"], attachments=files)
    assert "At most 5 files" in " ".join(refused.value.message_dict["attachments"])
    assert not Appeal.objects.exists() and _files(media) == []


def test_too_many_files_through_the_page(client, people, media):
    client.force_login(people["applicant"])
    response = client.post(
        reverse("dialogue:new"),
        {
            "body": "anti-corruption-agency",
            "type": "report",
            "subject": "Bribe",
            "text": "Money was asked.",
            "region": "KZ-75",
            "attachments": [SimpleUploadedFile(f"{i}.png", png(), "image/png") for i in range(6)],
        },
    )
    assert response.status_code == 400 and "At most 5 files" in response.content.decode()
    assert not Appeal.objects.exists() and _files(media) == []


def test_a_complaint_with_a_hostile_file_is_refused(client, people, submit, media):
    from ashyq.dialogue import services

    appeal = submit(people["applicant"])
    services.answer_appeal(people["official"], appeal, text="No.", outcome="explained")
    client.force_login(people["applicant"])
    response = client.post(
        reverse("dialogue:action", args=[appeal.pk, "complain"]),
        {
            "complain-text": "The answer is wrong.",
            "complain-attachments": [SimpleUploadedFile("x.pdf", REFUSED["pdf-js"][1], "application/pdf")],
        },
    )
    assert response.status_code == 400 and "contains scripts" in response.content.decode()
    assert Appeal.objects.count() == 1 and _files(media) == []


@pytest.mark.parametrize(
    "name, shown",
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\evil.png", "evil.png"),
        ("/etc/cron.d/job.png", "job.png"),
        ("photo\u202egnp.exe.png", "photognp.exe.png"),
        ("line\nbreak\r\x00.png", "linebreak.png"),
        (".htaccess.png", "htaccess.png"),
    ],
)
def test_path_tricks_in_names_are_shown_only_never_used_as_paths(name, shown, people, submit, media, client):
    appeal = submit(people["applicant"], attachments=[SimpleUploadedFile(name, png(), "image/png")])
    attachment = appeal.attachments.get()
    assert attachment.original_name == shown
    stored = _files(media)
    assert len(stored) == 1
    assert media in stored[0].parents  # inside the attachments folder, under Ashyq's own name
    assert shown not in stored[0].name and "passwd" not in str(stored[0]) and ".." not in attachment.file.name
    assert not Path("/etc/passwd.png").exists()
    client.force_login(people["applicant"])
    response = client.get(reverse("dialogue:attachment", args=[appeal.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition and "\n" not in disposition
    assert b"".join(response.streaming_content) == png()


def test_plain_files_still_pass(people, submit, media):
    files = [
        SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("b.png", png(), "image/png"),
        SimpleUploadedFile("c.jpg", jpeg(), "image/jpeg"),
    ]
    appeal = submit(people["applicant"], attachments=files)
    assert sorted(a.content_type for a in appeal.attachments.all()) == ["application/pdf", "image/jpeg", "image/png"]
    assert len(_files(media)) == 3


def test_the_content_type_is_ashyqs_not_the_browsers(people, submit):
    appeal = submit(people["applicant"], attachments=[SimpleUploadedFile("scan.pdf", png(), "application/pdf")])
    attachment = appeal.attachments.get()
    assert attachment.content_type == "image/png" and attachment.extension == "png"
