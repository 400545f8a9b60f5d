"""The uploaded file: where it is stored, and the checks of its size and content (magic
bytes, zip-bomb limits, text encoding) made before anything parses it."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

from ..models import RosterImport

# Limits on what an .xlsx (a zip) may unpack to before we parse it: a zip bomb is small on
# disk and enormous once inflated.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_ZIP_ENTRIES = 5000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED_EXTENSIONS = {".xlsx", ".xls", ".csv"}


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _too_large() -> DomainError:
    mb = settings.GONGHUI_MAX_UPLOAD_BYTES / (1024 * 1024)
    return DomainError(
        "import.too_large",
        _("The file is larger than %(mb)s MB. Split the roster into smaller files.")
        % {"mb": f"{mb:g}"},
        field="file",
    )


def _not_spreadsheet() -> DomainError:
    return DomainError(
        "import.not_spreadsheet",
        _("This file is not a spreadsheet. Upload an .xlsx, .xls or .csv roster."),
        field="file",
    )


def detect_kind(path: Path, file_name: str) -> str:
    """ "xlsx", "xls" or "csv" from the file's content (the extension is only a hint), or
    DomainError when the content is not a spreadsheet we read safely."""
    ext = Path(file_name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise _not_spreadsheet()
    size = path.stat().st_size
    if size == 0:
        raise DomainError("import.empty", _("The file is empty."), field="file")
    if size > settings.GONGHUI_MAX_UPLOAD_BYTES:
        raise _too_large()
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        check_xlsx_zip(path)
        return "xlsx"
    if head == OLE2_MAGIC:
        return "xls"
    if ext == ".csv":
        decode_csv(path)  # raises when it is not text
        return "csv"
    raise _not_spreadsheet()


def zip_bomb() -> DomainError:
    return DomainError(
        "import.zip_bomb",
        _("The workbook unpacks to far more data than a roster holds; it was refused."),
        field="file",
    )


def check_xlsx_zip(path: Path) -> None:
    """Refuse a zip that is not a workbook, or that would inflate beyond our limits."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _not_spreadsheet() from e
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _not_spreadsheet()
    bomb = zip_bomb()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise bomb
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise bomb
    if total > MAX_UNCOMPRESSED_BYTES:
        raise bomb


def decode_csv(path: Path) -> str:
    """CSV text: UTF-8 (with or without BOM) or GBK/GB18030, as Chinese Excel saves it."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise _not_spreadsheet()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return text
    raise DomainError(
        "import.encoding",
        _("The CSV file is not readable text (save it as UTF-8 or GBK)."),
        field="file",
    )


def _mostly_printable(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if not c.isprintable() and c not in "\r\n\t")
    return bad <= len(sample) // 100


def _stored(ri: RosterImport) -> Path:
    return Path(settings.MEDIA_ROOT) / ri.stored_path


def open_stored(path: str) -> IO[bytes]:
    return (Path(settings.MEDIA_ROOT) / path).open("rb")


def report_path(ri: RosterImport) -> Path:
    return Path(settings.MEDIA_ROOT) / ri.error_report_path
