"""Checks uploaded files by their content, never by their name or the browser's word for them."""
import hashlib
import io

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _pdf_is_complete(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def _image_is_valid(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:
        return False


def inspect_upload(upload) -> dict:
    """Read and validate one uploaded file. Returns its bytes and facts, or raises ValidationError."""
    name = getattr(upload, "name", "file") or "file"
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
    return {
        "data": data,
        "content_type": mime,
        "extension": ALLOWED[mime],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": name[-255:],
    }


def inspect_uploads(uploads) -> list[dict]:
    uploads = list(uploads or [])
    if len(uploads) > settings.ASHYQ_MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(n)d files may be attached.") % {"n": settings.ASHYQ_MAX_ATTACHMENTS}}
        )
    inspected, errors = [], []
    for upload in uploads:
        try:
            inspected.append(inspect_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return inspected
