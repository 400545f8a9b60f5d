"""core.uploads: the one check-and-store for uploaded files. No database needed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import uploads
from gonghui.core.errors import DomainError
from gonghui.core.uploads import Incoming

SAMPLES = {
    "a.pdf": b"%PDF-1.7\n" + b"0" * 50,
    "a.docx": b"PK\x03\x04" + b"0" * 50,
    "a.xlsx": b"PK\x03\x04" + b"0" * 50,
    "a.jpg": b"\xff\xd8\xff\xe0" + b"0" * 50,
    "a.JPEG": b"\xff\xd8\xff\xe1" + b"0" * 50,
    "a.png": b"\x89PNG\r\n\x1a\n" + b"0" * 50,
}
ALL = set(uploads.KINDS)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _store(upload, **kw):
    args = {"area": "tests/files", "kinds": ALL, "max_bytes": 1024, "field": "file"} | kw
    return uploads.check_and_store(upload, **args)


@pytest.mark.parametrize("name,content", SAMPLES.items())
def test_it_accepts_each_kind_and_stores_it_under_a_random_name(media, name, content):
    stored = _store(SimpleUploadedFile(name, content))
    assert stored.file_name == name
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.stored_path.startswith("tests/files/")
    assert stored.stored_path.endswith(Path(name).suffix.lower())
    assert Path(stored.stored_path).stem != Path(name).stem
    assert uploads.open_stored(stored.stored_path).read_bytes() == content
    assert _files(media) == [media / stored.stored_path]  # no temporary file left


def test_it_reads_chunks_given_without_django(media):
    stored = _store(Incoming("报告.pdf", [b"%P", b"DF-1", b".4 rest"]))
    assert stored.file_name == "报告.pdf" and stored.size_bytes == 13


def test_it_refuses_a_png_renamed_to_pdf_and_keeps_nothing(media):
    with pytest.raises(DomainError) as e:
        _store(SimpleUploadedFile("scan.pdf", SAMPLES["a.png"]))
    assert e.value.code == "upload.content" and e.value.field == "file"
    assert e.value.message == "scan.pdf 的内容不是 PDF 文件，与扩展名不符，已拒绝。"
    assert _files(media) == []


def test_it_refuses_a_kind_the_caller_does_not_allow(media):
    with pytest.raises(DomainError) as e:
        _store(SimpleUploadedFile("a.docx", SAMPLES["a.docx"]), kinds={"jpg", "png"})
    assert e.value.code == "upload.type"
    assert e.value.message == "a.docx 不是 JPG 或 PNG 文件。"
    with pytest.raises(DomainError) as e:
        _store(SimpleUploadedFile("run.exe", b"MZ"), kinds={"pdf", "docx", "xlsx"})
    assert e.value.message == "run.exe 不是 PDF、Word (.docx) 或 Excel (.xlsx) 文件。"


def test_it_refuses_an_oversize_file_while_streaming_and_stores_nothing(media):
    # given chunks that never say their total size up front
    chunks = [SAMPLES["a.png"]] + [b"0" * 400] * 3
    with pytest.raises(DomainError) as e:
        _store(Incoming("big.png", chunks), max_bytes=1024)
    assert e.value.code == "upload.too_large"
    assert e.value.message.startswith("big.png 超过 ")
    assert _files(media) == []


def test_it_refuses_an_oversize_file_before_reading_when_the_size_is_known(media):
    upload = SimpleUploadedFile("big.pdf", SAMPLES["a.pdf"] + b"0" * (5 * 1024 * 1024))
    with pytest.raises(DomainError) as e:
        _store(upload, max_bytes=5 * 1024 * 1024)
    assert e.value.message == "big.pdf 超过 5 MB。"
    assert _files(media) == []


def test_it_accepts_a_file_of_exactly_the_limit(media):
    content = SAMPLES["a.pdf"]
    assert _store(Incoming("a.pdf", [content]), max_bytes=len(content)).size_bytes == len(content)


def test_it_refuses_an_empty_file(media):
    with pytest.raises(DomainError) as e:
        _store(SimpleUploadedFile("empty.png", b""))
    assert e.value.code == "upload.empty" and e.value.message == "empty.png 是空文件。"
    assert _files(media) == []


@pytest.mark.parametrize(
    "name,shown",
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\a.png", "a.png"),
        ("/abs/path/a.png", "a.png"),
        ("a\x00b.png", "ab.png"),
        ("x" * 300 + ".png", "x" * 196 + ".png"),
    ],
)
def test_it_ignores_folders_in_the_client_name(media, name, shown):
    stored = _store(Incoming(name, [SAMPLES["a.png"]]))
    assert stored.file_name == shown
    path = uploads.open_stored(stored.stored_path)
    assert path.parent == (media / "tests" / "files").resolve()


@pytest.mark.parametrize("name", ["..", "", None, "noextension", ".png"])
def test_it_refuses_a_name_without_an_allowed_extension(media, name):
    with pytest.raises(DomainError) as e:
        _store(Incoming(name, [SAMPLES["a.png"]]))  # type: ignore[arg-type]
    assert e.value.code == "upload.type"


def test_it_stores_all_files_or_none(media):
    good = SimpleUploadedFile("a.png", SAMPLES["a.png"])
    bad = SimpleUploadedFile("b.png", SAMPLES["a.jpg"])
    with pytest.raises(DomainError):
        uploads.check_and_store_all(
            [good, bad], area="tests/files", kinds={"png"}, max_bytes=1024, field="photos"
        )
    assert _files(media) == []


def test_it_discards_stored_files(media):
    stored = _store(SimpleUploadedFile("a.png", SAMPLES["a.png"]))
    uploads.discard([stored])
    assert _files(media) == []


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "a/../../x", ""])
def test_it_refuses_to_open_a_path_outside_the_media_root(path):
    with pytest.raises(SuspiciousFileOperation):
        uploads.open_stored(path)


@pytest.mark.parametrize("area", ["../up", "/abs", "", "a/../../b"])
def test_it_refuses_an_area_outside_the_media_root(area):
    with pytest.raises(ValueError):
        _store(Incoming("a.png", [SAMPLES["a.png"]]), area=area)


# ---- the signature rule ------------------------------------------------------------------


@given(st.sampled_from(sorted(uploads.KINDS)), st.binary(max_size=20))
def test_a_header_matches_exactly_when_it_starts_with_a_signature(kind, head):
    expected = any(head.startswith(s) for s in uploads.KINDS[kind].signatures)
    assert uploads.signature_matches(kind, head) == expected


@given(st.sampled_from(sorted(uploads.KINDS)), st.binary(max_size=20))
def test_a_signature_followed_by_anything_matches(kind, tail):
    for signature in uploads.KINDS[kind].signatures:
        assert uploads.signature_matches(kind, signature + tail)


@given(st.binary(max_size=20))
def test_no_header_passes_as_both_an_image_and_a_pdf(head):
    matches = {k for k in ("pdf", "jpg", "png") if uploads.signature_matches(k, head)}
    assert len(matches) <= 1


@given(st.text(max_size=300))
def test_a_cleaned_name_never_holds_a_folder(name):
    cleaned = uploads.clean_name(name)
    assert "/" not in cleaned and "\\" not in cleaned
    assert cleaned not in (".", "..") and len(cleaned) <= uploads.MAX_NAME_LENGTH


@given(st.sampled_from(sorted(e for k in uploads.KINDS.values() for e in k.extensions)))
def test_every_extension_names_its_kind_in_any_case(ext):
    assert uploads.kind_of(uploads.extension_of("A" + ext.upper()), uploads.KINDS) is not None
