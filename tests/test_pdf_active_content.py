"""Attached PDFs are parsed by a real PDF library: a script, a launch action, an embedded file or an XFA form is
refused wherever it sits (a compressed object stream, a hex or predictor filter, an escaped name), and an ordinary
PDF, with or without object streams, still passes. Every file here is built by the test."""

import binascii
import io
import zlib

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ashyq.dialogue.attachments import inspect_upload

ACTIVE = {
    "javascript-open-action": lambda pdf: pdf.Root.__setitem__(
        "/OpenAction", pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    ),
    "javascript-name-tree": lambda pdf: pdf.Root.__setitem__(
        "/Names",
        pikepdf.Dictionary(
            JavaScript=pdf.make_indirect(
                pikepdf.Dictionary(
                    Names=pikepdf.Array(
                        [
                            pikepdf.String("x"),
                            pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1"))),
                        ]
                    )
                )
            )
        ),
    ),
    "page-additional-action": lambda pdf: pdf.pages[0].obj.__setitem__(
        "/AA", pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")))
    ),
    "launch-action": lambda pdf: pdf.Root.__setitem__(
        "/OpenAction", pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
    ),
    "embedded-file": lambda pdf: pdf.attachments.__setitem__("payload.exe", pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")),
    "xfa-form": lambda pdf: pdf.Root.__setitem__(
        "/AcroForm",
        pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_indirect(pikepdf.Stream(pdf, b"<xdp:xdp/>")))),
    ),
}


def build(add=None, object_streams=True) -> bytes:
    """A one-page PDF written by qpdf, its objects packed into compressed object streams."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if add:
        add(pdf)
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=True)
    return out.getvalue()


def _png_up_predictor(data: bytes, columns: int) -> bytes:
    """Rows of `columns` bytes, each encoded with the PNG 'Up' filter (type 2), as Flate's /Predictor 12 reads them."""
    data += b" " * (-len(data) % columns)
    rows, previous = [], bytes(columns)
    for start in range(0, len(data), columns):
        row = data[start : start + columns]
        rows.append(b"\x02" + bytes((a - b) % 256 for a, b in zip(row, previous)))
        previous = row
    return b"".join(rows)


def hand_built_object_stream_pdf(action: bytes, filters: str) -> bytes:
    """A PDF 1.5 whose catalog and action live in an object stream found through a cross-reference stream.
    filters: "hex" (ASCIIHex over Flate) or "predictor" (Flate with the PNG Up predictor) or "hex+predictor"."""
    inner = {1: b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", 2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>", 4: action}
    header, body = b"", b""
    for number, obj in inner.items():
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    content = header + body
    columns = 16
    encoded, names, parms = content, [], []
    if "predictor" in filters:
        encoded = zlib.compress(_png_up_predictor(encoded, columns))
        names.append("/FlateDecode")
        parms.append(b"<</Predictor 12/Columns %d>>" % columns)
    else:
        encoded = zlib.compress(encoded)
        names.append("/FlateDecode")
        parms.append(b"null")
    if "hex" in filters:
        encoded = binascii.hexlify(encoded) + b">"
        names.insert(0, "/ASCIIHexDecode")
        parms.insert(0, b"null")
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    offsets[3] = len(out)
    out += b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    offsets[5] = len(out)
    out += b"5 0 obj<</Type/ObjStm/N %d/First %d/Length %d/Filter[%s]/DecodeParms[%s]>>stream\n" % (
        len(inner),
        len(header),
        len(encoded),
        " ".join(names).encode(),
        b" ".join(parms),
    )
    out += encoded + b"\nendstream\nendobj\n"
    offsets[6] = len(out)
    rows = [(0, 0, 65535), (2, 5, 0), (2, 5, 1), (1, offsets[3], 0), (2, 5, 2), (1, offsets[5], 0), (1, offsets[6], 0)]
    xref = b"".join(bytes([t]) + a.to_bytes(4, "big") + b.to_bytes(2, "big") for t, a, b in rows)
    out += b"6 0 obj<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % len(xref)
    out += xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def upload(data: bytes, name="letter.pdf"):
    return SimpleUploadedFile(name, data, "application/pdf")


def refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        inspect_upload(upload(data))
    return " ".join(error.value.messages)


@pytest.mark.parametrize("case", sorted(ACTIVE))
@pytest.mark.parametrize("object_streams", [True, False], ids=["object-streams", "plain-objects"])
def test_active_content_built_by_a_pdf_library_is_refused(case, object_streams):
    data = build(ACTIVE[case], object_streams)
    assert "contains scripts, actions or embedded files" in refused(data)


@pytest.mark.parametrize("filters", ["hex", "predictor", "hex+predictor"])
@pytest.mark.parametrize(
    "action",
    [b"<</S/JavaScript/JS(app.alert(1))>>", b"<</S/Launch/F(cmd.exe)>>", b"<</S/J#61vaScript/J#53(app.alert(1))>>"],
    ids=["javascript", "launch", "escaped"],
)
def test_an_action_inside_a_filtered_object_stream_is_refused(filters, action):
    data = hand_built_object_stream_pdf(action, filters)
    # The file is a real PDF: the library reads the action through the cross-reference stream.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/S" in pdf.Root.OpenAction
    assert "contains scripts, actions or embedded files" in refused(data)


def test_the_same_file_with_a_harmless_action_passes():
    """The hand-built file is refused for its action, not for its shape."""
    data = hand_built_object_stream_pdf(b"<</S/GoTo/D[3 0 R/Fit]>>", "hex+predictor")
    assert inspect_upload(upload(data))["content_type"] == "application/pdf"


@pytest.mark.parametrize("object_streams", [True, False])
def test_an_ordinary_pdf_passes(object_streams):
    data = build(None, object_streams)
    inspected = inspect_upload(upload(data))
    assert inspected["content_type"] == "application/pdf" and inspected["size"] == len(data)


def test_a_scanned_letter_saved_as_pdf_by_an_image_library_passes():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (250, 250, 250)).save(buffer, "PDF")
    assert inspect_upload(upload(buffer.getvalue()))["extension"] == "pdf"


def test_a_pdf_locked_with_a_password_is_refused_with_its_own_message():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert "protected by a password" in refused(out.getvalue())


def test_a_file_that_only_looks_like_a_pdf_is_refused():
    assert "is not a PDF, JPEG or PNG" in refused(b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n")
