"""Uploaded files, for every app: the one place a file from a browser is checked and stored.

A file is accepted when its extension names one of the kinds the caller allows and its own
first bytes (its signature, "magic number") match that kind, so a renamed file is refused; its
size is counted while it streams in, so a large file never sits in memory whole and nothing is
kept of one over the limit. It is written under a temporary name and moved into place as
``MEDIA_ROOT/<area>/<random><ext>``: the client's file name is kept only as a label, never used
as a path. ``open_stored`` turns a stored path back into a file path and refuses any path that
leads outside MEDIA_ROOT.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gonghui.core.errors import DomainError


@dataclass(frozen=True)
class FileKind:
    label: str  # as users know the kind, e.g. "Word (.docx)"
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]  # the file starts with one of these


_ZIP = b"PK\x03\x04"  # .docx and .xlsx are zip packages
KINDS: dict[str, FileKind] = {
    "pdf": FileKind("PDF", (".pdf",), (b"%PDF-",)),
    "docx": FileKind("Word (.docx)", (".docx",), (_ZIP,)),
    "xlsx": FileKind("Excel (.xlsx)", (".xlsx",), (_ZIP,)),
    "jpg": FileKind("JPG", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "png": FileKind("PNG", (".png",), (b"\x89PNG\r\n\x1a\n",)),
}
HEAD_BYTES = max(len(s) for k in KINDS.values() for s in k.signatures)
MAX_NAME_LENGTH = 200  # the models' file_name columns


class Uploaded(Protocol):
    """What ``check_and_store`` reads: Django's UploadedFile, or ``Incoming`` for chunks
    from elsewhere (the API, the command line, tests)."""

    @property
    def name(self) -> str | None: ...

    def chunks(self) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class Incoming:
    """A file given as its client name and its content in chunks."""

    name: str
    data: Iterable[bytes]

    def chunks(self) -> Iterator[bytes]:
        return iter(self.data)


@dataclass(frozen=True)
class StoredUpload:
    file_name: str  # the client's name without any folders, for display only
    stored_path: str  # relative to MEDIA_ROOT
    size_bytes: int
    sha256: str


# ---- the pure rule --------------------------------------------------------------------------


def clean_name(name: str | None) -> str:
    """The client's file name without folders (either slash) or control characters, at most
    200 characters with its extension kept."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    if base in ("", ".", ".."):
        return ""
    if len(base) > MAX_NAME_LENGTH:
        stem, dot, ext = base.rpartition(".")
        ext = dot + ext if stem and len(ext) < 20 else ""
        base = base[: MAX_NAME_LENGTH - len(ext)] + ext
    return base


def extension_of(file_name: str) -> str:
    """The lower-cased extension with its dot, "" when there is none."""
    stem, dot, ext = file_name.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def kind_of(extension: str, kinds: Iterable[str]) -> str | None:
    """The allowed kind an extension names, or None."""
    return next((k for k in kinds if extension in KINDS[k].extensions), None)


def signature_matches(kind: str, head: bytes) -> bool:
    """Whether a file of ``kind`` may start with ``head``: the name is only the client's
    claim, the first bytes are the file's own."""
    return any(head.startswith(s) for s in KINDS[kind].signatures)


# ---- checking and storing -------------------------------------------------------------------


def _kinds_text(kinds: Iterable[str]) -> str:
    labels = [KINDS[k].label for k in KINDS if k in kinds]  # in the table's order
    if len(labels) == 1:
        return labels[0]
    return str(_("%(items)s or %(last)s")) % {
        "items": pgettext("list separator", ", ").join(labels[:-1]),
        "last": labels[-1],
    }


def _refused(code: str, message: str, field: str) -> DomainError:
    return DomainError(f"upload.{code}", message, field=field)


def _too_large(name: str, max_bytes: int, field: str) -> DomainError:
    mb = f"{max_bytes / (1024 * 1024):g}"
    return _refused(
        "too_large", _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": mb}, field
    )


def _area_dir(area: str) -> Path:
    parts = Path(area).parts
    if not parts or Path(area).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"not a media area: {area!r}")
    folder = Path(settings.MEDIA_ROOT) / area
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_and_store(
    upload: Uploaded, *, area: str, kinds: set[str], max_bytes: int, field: str
) -> StoredUpload:
    """Check one uploaded file (kind by extension and first bytes, not empty, at most
    ``max_bytes``) and store it as MEDIA_ROOT/<area>/<random><ext>. Raises DomainError
    (codes ``upload.type``, ``upload.content``, ``upload.too_large``, ``upload.empty``) with
    a message naming the file; nothing is left on disk then."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown file kinds: {sorted(unknown)}")
    file_name = clean_name(upload.name)
    shown = file_name or _("The file")
    ext = extension_of(file_name)
    kind = kind_of(ext, kinds)
    if kind is None:
        raise _refused(
            "type",
            _("%(name)s is not a %(kinds)s file.") % {"name": shown, "kinds": _kinds_text(kinds)},
            field,
        )
    declared = getattr(upload, "size", None)  # Django knows the size before reading
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_large(shown, max_bytes, field)
    folder = _area_dir(area)
    token = secrets.token_hex(16)
    partial, final = folder / f".{token}.part", folder / f"{token}{ext}"
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with partial.open("wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(shown, max_bytes, field)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _refused("empty", _("%(name)s is empty.") % {"name": shown}, field)
        if not signature_matches(kind, head):
            raise _refused(
                "content",
                _("%(name)s is not really a %(kind)s file: its content does not match its name.")
                % {"name": shown, "kind": KINDS[kind].label},
                field,
            )
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return StoredUpload(
        file_name=file_name,
        stored_path=final.relative_to(settings.MEDIA_ROOT).as_posix(),
        size_bytes=size,
        sha256=digest.hexdigest(),
    )


def check_and_store_all(
    uploads: Sequence[Uploaded], *, area: str, kinds: set[str], max_bytes: int, field: str
) -> list[StoredUpload]:
    """``check_and_store`` for several files: all of them are stored, or none."""
    stored: list[StoredUpload] = []
    try:
        for upload in uploads:
            stored.append(
                check_and_store(upload, area=area, kinds=kinds, max_bytes=max_bytes, field=field)
            )
    except BaseException:
        discard(stored)
        raise
    return stored


def discard(stored: Iterable[StoredUpload | str]) -> None:
    """Remove stored files again, e.g. when the record they belong to was not saved."""
    for s in stored:
        path = s.stored_path if isinstance(s, StoredUpload) else s
        if path:
            open_stored(path).unlink(missing_ok=True)


def open_stored(stored_path: str) -> Path:
    """The file a stored path names, refusing (SuspiciousFileOperation, a 400 page) any path
    that leads outside MEDIA_ROOT. The file may be missing; callers check."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / stored_path).resolve()
    if path == root or not path.is_relative_to(root):
        raise SuspiciousFileOperation(f"stored path outside the media root: {stored_path!r}")
    return path
