"""Checks uploaded files by their content, never by their name or the browser's word for them."""

import hashlib
import io
import re
import unicodedata
import zlib

import filetype
import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _pdf_is_complete(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


# PDF actions and objects that run or carry something when the file is opened: scripts, launching programs,
# embedded files, forms with scripts (XFA), multimedia. A scanned letter needs none of them.
_PDF_ACTIVE = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
    }
)


_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})+)")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_MAX_INFLATED = 50 * 1024 * 1024


def _raw_names(chunk: bytes) -> set[str]:
    # Names may hide letters as #xx escapes: /J#61vaScript is /JavaScript.
    return {
        "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), m[1]).decode("latin-1")
        for m in _PDF_NAME.finditer(chunk)
    }


def _pdf_bytes_name_active(data: bytes) -> bool:
    """A second look, at the bytes rather than the parsed file: names anywhere in the file or in its Flate streams
    (bounded). It catches objects that no cross-reference lists, which a viewer repairing the file may still find."""
    if _raw_names(data) & _PDF_ACTIVE:
        return True
    budget = _MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        if budget <= 0:
            return True  # a decompression bomb is not a scanned letter either
        try:
            inflated = zlib.decompressobj().decompress(match[1], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if _raw_names(inflated) & _PDF_ACTIVE:
            return True
    return False


class _Unreadable(Exception):
    """The PDF library cannot read the file (or only with a password)."""


def _pdf_has_active_content(data: bytes) -> bool:
    """Whether any object of the file names an active feature, as a key or a value.

    The file is parsed by qpdf (through pikepdf), which reads objects wherever they sit: in compressed object
    streams under any chain of filters (Flate with predictors, ASCIIHex, ASCII85, LZW), behind #xx escapes in
    names, in objects no page refers to. Only dictionaries and arrays are walked, never stream contents, so a
    decompression bomb costs nothing here."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as error:
        raise _Unreadable("password") from error
    except (pikepdf.PdfError, ValueError, RecursionError) as error:
        raise _Unreadable("unreadable") from error
    with pdf:
        try:
            roots = [pdf.trailer, *pdf.objects]
            return any(_pdf_names_active(obj) for obj in roots)
        except (pikepdf.PdfError, RecursionError) as error:
            raise _Unreadable("unreadable") from error


def _pdf_names_active(obj, depth=0) -> bool:
    # Indirect objects met inside another are walked on their own (pdf.objects lists every one of them), so
    # only direct children are followed here; the depth bound stops a hostile nesting of arrays.
    if depth > 100:
        return True
    if isinstance(obj, pikepdf.Name):
        return str(obj) in _PDF_ACTIVE
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        items = obj.items()
        if any(key in _PDF_ACTIVE for key, _value in items):
            return True
        children = [value for _key, value in items]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    return any(
        _pdf_names_active(child, depth + 1) for child in children if not (isinstance(child, pikepdf.Object) and child.is_indirect)
    )


def _image_is_valid(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:
        return False


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk (walking the chunks), or None if there is none."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    return None


def _image_has_trailing_data(data: bytes, mime: str) -> bool:
    """A polyglot hides a second file (HTML, a PDF, a script, an archive) after the image's end marker."""
    if mime == "image/png":
        end = _png_end(data)
        return end is None or end != len(data)
    if mime == "image/jpeg":
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    return False


# Bidirectional controls reorder what people read ("invoice\u202egnp.exe" shows as "invoiceexe.png").
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_original_name(name: str) -> str:
    """The file's name as people will see it: no folders, control or bidi characters; never used as a path."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name.translate(_BIDI_CONTROLS) if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "file"
    return name[-255:]


def _pdf_refused(data: bytes, name: str) -> bool:
    try:
        return _pdf_has_active_content(data) or _pdf_bytes_name_active(data)
    except _Unreadable as error:
        if str(error) == "password":
            raise ValidationError(
                _("%(name)s is protected by a password; please attach it without the password.") % {"name": name},
                code="encrypted",
            ) from error
        raise ValidationError(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}, code="bad_type") from error


def inspect_upload(upload) -> dict:
    """Read and validate one uploaded file. Returns its bytes and facts, or raises ValidationError."""
    name = clean_original_name(getattr(upload, "name", "file") or "file")
    limit = settings.ASHYQ_MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit // (1024 * 1024)}, code="too_big"
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit // (1024 * 1024)})
    if not data:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind else None
    valid = mime in ALLOWED and (_pdf_is_complete(data) if mime == "application/pdf" else _image_is_valid(data))
    if not valid:
        raise ValidationError(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}, code="bad_type")
    if mime == "application/pdf" and _pdf_refused(data, name):
        raise ValidationError(
            _("%(name)s contains scripts, actions or embedded files; please attach a plain PDF (print it to PDF or scan it).")
            % {"name": name},
            code="active_content",
        )
    if _image_has_trailing_data(data, mime):
        raise ValidationError(
            _("%(name)s has extra data after the end of the image; please save or scan the image again.") % {"name": name},
            code="trailing_data",
        )
    return {
        "data": data,
        "content_type": mime,
        "extension": ALLOWED[mime],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": clean_original_name(name),
    }


def inspect_uploads(uploads) -> list[dict]:
    uploads = list(uploads or [])
    if len(uploads) > settings.ASHYQ_MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(n)d files may be attached.") % {"n": settings.ASHYQ_MAX_ATTACHMENTS}})
    inspected, errors = [], []
    for upload in uploads:
        try:
            inspected.append(inspect_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return inspected
