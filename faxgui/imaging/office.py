"""Office and PostScript documents turned into PDF by LibreOffice or Ghostscript, when installed.

PyMuPDF draws PDF, images and text; Word, Excel, PowerPoint and RTF files need
LibreOffice (`soffice --headless --convert-to pdf`) and PostScript needs
Ghostscript (`gs -sDEVICE=pdfwrite`). Neither is a Python package, so both are
looked up on PATH and at their usual install locations; when one is missing the
document can still be sent (the service converts it) but not drawn here, and
`OfficeUnavailableError` says so and how to fix it.

Each LibreOffice run gets a private user profile (`-env:UserInstallation`), so
conversions can run side by side without LibreOffice's single-instance lock
joining them into one process, or failing, or touching the user's own
LibreOffice settings. Profiles are kept in a small pool and reused, because
building one costs about half a second of every first conversion. Several
documents are converted by one LibreOffice run where possible (starting it is
most of the cost), and results are cached by content hash, so the same file
previewed twice, or sent to 600 numbers, is converted once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from faxgui.imaging.child_env import program_environment
from faxgui.imaging.formats import (
    DOC,
    DOCX,
    PPT,
    PPTX,
    PS,
    RTF,
    XLS,
    XLSX,
    FileType,
    file_type_for,
)
from faxgui.imaging.raster import UnrenderableDocumentError

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
"""Seconds one conversion may take before it is abandoned (a large workbook can take a while)."""

_EXTRA_SECONDS_PER_DOCUMENT = 15.0  # a batch gets the base timeout plus this per extra document
_BATCH_SIZE = 20
_CACHE_ENTRIES = 32
_CACHE_BYTES = 64 << 20

OFFICE_TYPES: frozenset[FileType] = frozenset({DOC, DOCX, XLS, XLSX, PPT, PPTX, RTF})
"""Types LibreOffice converts."""

_GHOSTSCRIPT_TYPES: frozenset[FileType] = frozenset({PS})

# Targets: the LibreOffice --convert-to argument and the file name extension it writes.
PDF_TARGET = "pdf"
DOCX_TARGET = "docx"
_LIBREOFFICE_FILTERS = {PDF_TARGET: "pdf", DOCX_TARGET: "docx:MS Word 2007 XML"}

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OOXML_MAIN_PART = {
    DOCX: "word/document.xml",
    XLSX: "xl/workbook.xml",
    PPTX: "ppt/presentation.xml",
}


class OfficeUnavailableError(UnrenderableDocumentError):
    """The program that draws this kind of document is not installed on this computer."""


class ConversionFailedError(UnrenderableDocumentError):
    """LibreOffice or Ghostscript could not convert the document (damaged, or too slow)."""


class ConversionTimeoutError(ConversionFailedError):
    """The conversion took longer than the converter's timeout."""


def needs_conversion(file_name: str) -> bool:
    """Whether a document must be converted to PDF before it can be drawn."""
    file_type = file_type_for(file_name)
    return file_type is not None and file_type in OFFICE_TYPES | _GHOSTSCRIPT_TYPES


# --------------------------------------------------------------------------- finding programs


def _usual_soffice_locations() -> list[Path]:
    """Where LibreOffice's installers put soffice, for when it is not on PATH."""
    if sys.platform == "darwin":
        apps = [Path("/Applications"), Path.home() / "Applications"]
        return [a / "LibreOffice.app" / "Contents" / "MacOS" / "soffice" for a in apps]
    if sys.platform == "win32":
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432")]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    return [
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/usr/lib64/libreoffice/program/soffice"),
        Path("/opt/libreoffice/program/soffice"),
        *sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True),
        Path("/snap/bin/libreoffice"),
    ]


def _usual_ghostscript_locations() -> list[Path]:
    if sys.platform == "win32":
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)")]
        found: list[Path] = []
        for root in filter(None, roots):
            found += sorted(Path(root).glob("gs/gs*/bin/gswin*c.exe"), reverse=True)
        return found
    return [Path("/opt/homebrew/bin/gs"), Path("/usr/local/bin/gs"), Path("/usr/bin/gs")]


def _find(
    names: Sequence[str], search_path: str | None, locations: Iterable[Path] | None
) -> Path | None:
    for name in names:
        found = shutil.which(name, path=search_path)
        if found:
            return Path(found)
    for candidate in locations if locations is not None else ():
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_soffice(
    search_path: str | None = None, locations: Iterable[Path] | None = None
) -> Path | None:
    """LibreOffice's soffice: on PATH (or `search_path`), else at the usual install locations.

    `locations=None` means this platform's usual ones; pass `()` to look on the path only.
    """
    if locations is None:
        locations = _usual_soffice_locations()
    return _find(("soffice", "libreoffice"), search_path, locations)


def find_ghostscript(
    search_path: str | None = None, locations: Iterable[Path] | None = None
) -> Path | None:
    """Ghostscript's command-line program, as `find_soffice` finds LibreOffice."""
    if locations is None:
        locations = _usual_ghostscript_locations()
    return _find(("gs", "gswin64c", "gswin32c"), search_path, locations)


# --------------------------------------------------------------------------- the converter


_Key = tuple[str, str, bytes]  # (target, extension, SHA-256 of the content)


@dataclass(frozen=True, slots=True)
class _Job:
    file_name: str
    file_type: FileType
    data: bytes
    key: _Key


class _Cache:
    """Finished conversions (PDF bytes, or the error they ended in) by content, least used out."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self._entries = entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[_Key, bytes | ConversionFailedError] = OrderedDict()

    def get(self, key: _Key) -> bytes | ConversionFailedError | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: _Key, value: bytes | ConversionFailedError) -> None:
        size = len(value) if isinstance(value, bytes) else 0
        if size > self._max_bytes:
            return
        old = self._items.pop(key, None)
        self._bytes -= len(old) if isinstance(old, bytes) else 0
        self._items[key] = value
        self._bytes += size
        while len(self._items) > self._entries or self._bytes > self._max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped) if isinstance(dropped, bytes) else 0


class _ProfilePool:
    """Private LibreOffice user profiles, one per running conversion, reused when free."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: list[Path] = []
        self._base: Path | None = None
        self._count = 0

    @contextmanager
    def profile(self) -> Iterator[Path]:
        with self._lock:
            if self._base is None:
                self._base = Path(tempfile.mkdtemp(prefix="faxgui-libreoffice-"))
                weakref.finalize(self, shutil.rmtree, self._base, True)
            if self._free:
                path = self._free.pop()
            else:
                self._count += 1
                path = self._base / f"profile-{self._count}"
        try:
            yield path
        except BaseException:
            # An interrupted run may leave the profile half-written: the next one rebuilds it.
            shutil.rmtree(path, ignore_errors=True)
            raise
        finally:
            with self._lock:
                self._free.append(path)


class OfficeConverter:
    """Converts Office documents (LibreOffice) and PostScript (Ghostscript) to PDF; thread-safe.

    Build one with `discover()` (or use `default_converter()`); pass `soffice=None`
    to model a computer without LibreOffice.
    """

    def __init__(
        self,
        soffice: Path | None,
        ghostscript: Path | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_parallel: int | None = None,
    ) -> None:
        self.soffice = soffice
        self.ghostscript = ghostscript
        self.timeout = timeout
        parallel = max_parallel if max_parallel is not None else min(4, os.cpu_count() or 1)
        self._slots = threading.BoundedSemaphore(max(1, parallel))
        self._parallel = max(1, parallel)
        self._lock = threading.Lock()
        self._cache = _Cache(_CACHE_ENTRIES, _CACHE_BYTES)
        self._in_flight: dict[_Key, Future[bytes]] = {}
        self._profiles = _ProfilePool()

    @classmethod
    def discover(
        cls,
        search_path: str | None = None,
        locations: Iterable[Path] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> OfficeConverter:
        """A converter using whatever is installed (see `find_soffice` for the arguments)."""
        spots = list(locations) if locations is not None else None
        return cls(
            find_soffice(search_path, spots),
            find_ghostscript(search_path, spots),
            timeout=timeout,
        )

    def can_convert(self, file_name: str) -> bool:
        """Whether this computer has the program a document of this name needs."""
        file_type = file_type_for(file_name)
        if file_type in OFFICE_TYPES:
            return self.soffice is not None
        if file_type in _GHOSTSCRIPT_TYPES:
            return self.ghostscript is not None
        return False

    def to_pdf(self, file_name: str, data: bytes) -> bytes:
        """The document as PDF. Raises OfficeUnavailableError or ConversionFailedError."""
        return self._convert_one(file_name, data, PDF_TARGET)

    def to_docx(self, file_name: str, data: bytes) -> bytes:
        """A Word 97-2003 (.doc) or RTF document saved as .docx, so merge fields can be filled."""
        return self._convert_one(file_name, data, DOCX_TARGET)

    def to_pdf_many(
        self, documents: Sequence[tuple[str, bytes]]
    ) -> list[bytes | UnrenderableDocumentError]:
        """Each document as PDF (or the error it met), converting as many as possible per run."""
        jobs: list[_Job | UnrenderableDocumentError] = []
        for file_name, data in documents:
            try:
                jobs.append(self._job(file_name, data, PDF_TARGET))
            except UnrenderableDocumentError as exc:
                jobs.append(exc)
        results = self._run([job for job in jobs if isinstance(job, _Job)], PDF_TARGET)
        answers: list[bytes | UnrenderableDocumentError] = []
        for job in jobs:
            if isinstance(job, _Job):
                try:
                    answers.append(results[job.key].result())
                except UnrenderableDocumentError as exc:
                    answers.append(exc)
            else:
                answers.append(job)
        return answers

    # ------------------------------------------------------------------ internals

    def _convert_one(self, file_name: str, data: bytes, target: str) -> bytes:
        job = self._job(file_name, data, target)
        return self._run([job], target)[job.key].result()

    def _job(self, file_name: str, data: bytes, target: str) -> _Job:
        file_type = file_type_for(file_name)
        if file_type is None or file_type not in OFFICE_TYPES | _GHOSTSCRIPT_TYPES:
            raise ConversionFailedError(f"{file_name}: this kind of file is not converted to PDF.")
        if target == DOCX_TARGET and file_type not in (DOC, RTF, DOCX):
            raise ConversionFailedError(f"{file_name}: only Word documents can be saved as .docx.")
        program = "Ghostscript" if file_type in _GHOSTSCRIPT_TYPES else "LibreOffice"
        if not self.can_convert(file_name):
            raise OfficeUnavailableError(
                f"{file_name}: this {file_type.label} can be sent, but it cannot be shown here "
                f"because {program} is not installed on this computer. Install {program} to "
                "preview it, or save the document as PDF and attach that instead."
            )
        _check_content(file_name, file_type, data)
        key = (target, file_type.extension, hashlib.sha256(data).digest())
        return _Job(file_name, file_type, data, key)

    def _run(self, jobs: Sequence[_Job], target: str) -> dict[_Key, Future[bytes]]:
        """A settled future for every job: from the cache, another thread's run, or a new run."""
        futures: dict[_Key, Future[bytes]] = {}
        mine: list[_Job] = []
        with self._lock:
            for job in jobs:
                if job.key in futures:
                    continue
                cached = self._cache.get(job.key)
                if cached is not None:
                    done: Future[bytes] = Future()
                    if isinstance(cached, bytes):
                        done.set_result(cached)
                    else:
                        done.set_exception(cached)
                    futures[job.key] = done
                elif job.key in self._in_flight:
                    futures[job.key] = self._in_flight[job.key]
                else:
                    future: Future[bytes] = Future()
                    self._in_flight[job.key] = futures[job.key] = future
                    mine.append(job)
        try:
            self._convert_jobs(mine, target)
        finally:
            with self._lock:
                for job in mine:
                    self._in_flight.pop(job.key, None)
                    if not futures[job.key].done():
                        futures[job.key].set_exception(
                            ConversionFailedError(f"{job.file_name}: the conversion was abandoned.")
                        )
        for future in futures.values():
            future.exception()  # waits for conversions other threads are running
        return futures

    def _convert_jobs(self, jobs: Sequence[_Job], target: str) -> None:
        office = [job for job in jobs if job.file_type in OFFICE_TYPES]
        batches = [office[i : i + _BATCH_SIZE] for i in range(0, len(office), _BATCH_SIZE)]
        batches += [[job] for job in jobs if job.file_type in _GHOSTSCRIPT_TYPES]
        if len(batches) <= 1:
            for batch in batches:
                self._convert_batch(batch, target)
            return
        with ThreadPoolExecutor(self._parallel, thread_name_prefix="office-convert") as pool:
            for running in [pool.submit(self._convert_batch, b, target) for b in batches]:
                running.result()

    def _convert_batch(self, batch: Sequence[_Job], target: str) -> None:
        with self._slots:
            if batch[0].file_type in _GHOSTSCRIPT_TYPES:
                outcome = self._ghostscript(batch[0])
                results: dict[_Key, bytes | ConversionFailedError]
                results = {batch[0].key: outcome}
            else:
                results = self._libreoffice(batch, target)
        with self._lock:
            for job in batch:
                value = results[job.key]
                future = self._in_flight.get(job.key)
                if not isinstance(value, ConversionTimeoutError):
                    self._cache.put(job.key, value)
                if future is None or future.done():
                    continue
                if isinstance(value, bytes):
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _libreoffice(
        self, batch: Sequence[_Job], target: str
    ) -> dict[_Key, bytes | ConversionFailedError]:
        assert self.soffice is not None
        extension = "pdf" if target == PDF_TARGET else "docx"
        with (
            tempfile.TemporaryDirectory(prefix="faxgui-convert-") as work,
            self._profiles.profile() as profile,
        ):
            inputs, outputs = Path(work, "in"), Path(work, "out")
            inputs.mkdir()
            # Our own short names: a user's file name may hold characters soffice mishandles.
            names = []
            for index, job in enumerate(batch):
                name = f"d{index}.{job.file_type.extension}"
                (inputs / name).write_bytes(job.data)
                names.append(name)
            command = [
                str(self.soffice),
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--convert-to",
                _LIBREOFFICE_FILTERS[target],
                "--outdir",
                str(outputs),
                *names,
            ]
            timeout = self.timeout + _EXTRA_SECONDS_PER_DOCUMENT * (len(batch) - 1)
            try:
                _run_program(command, timeout, cwd=inputs)
            except ConversionTimeoutError:
                # A killed LibreOffice may leave its profile half-written: the next run rebuilds it.
                shutil.rmtree(profile, ignore_errors=True)
                if len(batch) > 1:
                    # One slow document must not fail the rest: convert each on its own.
                    _log.info("LibreOffice timed out on %d documents; one at a time", len(batch))
                    return {job.key: self._libreoffice([job], target)[job.key] for job in batch}
                return {
                    batch[0].key: ConversionTimeoutError(
                        f"{batch[0].file_name}: LibreOffice took longer than "
                        f"{self.timeout:g} seconds to convert it. Save it as PDF and attach that."
                    )
                }
            except OSError as exc:
                error = ConversionFailedError(
                    f"LibreOffice ({self.soffice}) could not be started: {exc}"
                )
                return {job.key: error for job in batch}
            results: dict[_Key, bytes | ConversionFailedError] = {}
            for name, job in zip(names, batch, strict=True):
                produced = outputs / f"{Path(name).stem}.{extension}"
                data = produced.read_bytes() if produced.is_file() else b""
                if _complete(data, target):
                    results[job.key] = data
                else:
                    results[job.key] = ConversionFailedError(
                        f"{job.file_name}: LibreOffice could not open it; the file is damaged "
                        f"or is not really a {job.file_type.label}."
                    )
            return results

    def _ghostscript(self, job: _Job) -> bytes | ConversionFailedError:
        assert self.ghostscript is not None
        with tempfile.TemporaryDirectory(prefix="faxgui-convert-") as work:
            source, produced = Path(work, "in.ps"), Path(work, "out.pdf")
            source.write_bytes(job.data)
            command = [
                str(self.ghostscript),
                "-q",
                "-dSAFER",
                "-dBATCH",
                "-dNOPAUSE",
                "-sDEVICE=pdfwrite",
                f"-sOutputFile={produced}",
                str(source),
            ]
            try:
                returncode = _run_program(command, self.timeout, cwd=Path(work))
            except ConversionTimeoutError:
                return ConversionTimeoutError(
                    f"{job.file_name}: Ghostscript took longer than {self.timeout:g} seconds "
                    "to convert it. Save it as PDF and attach that."
                )
            except OSError as exc:
                return ConversionFailedError(
                    f"Ghostscript ({self.ghostscript}) could not be started: {exc}"
                )
            data = produced.read_bytes() if produced.is_file() else b""
            if returncode != 0 or not _complete(data, PDF_TARGET):
                return ConversionFailedError(
                    f"{job.file_name}: Ghostscript could not read it; the file is damaged "
                    "or is not really PostScript."
                )
            return data


def _run_program(command: Sequence[str], timeout: float, *, cwd: Path) -> int:
    """Run a converter; on timeout kill it with everything it started, then raise."""
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        cwd=cwd,
        # A frozen faxgui's libraries would shadow the converter's own.
        env=program_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
        creationflags=0 if posix else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # soffice is a launcher for soffice.bin: the whole group must go.
            with suppress(OSError):
                if posix:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    subprocess.run(
                        ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                        capture_output=True,
                        check=False,
                    )
            process.kill()
            process.communicate()
            raise ConversionTimeoutError(f"{command[0]} timed out") from None
    if process.returncode:
        _log.info("%s exited with %s: %s", command[0], process.returncode, (err or out)[-500:])
    return process.returncode


def _complete(data: bytes, target: str) -> bool:
    if target == PDF_TARGET:
        return data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    return data.startswith(_ZIP_SIGNATURE)


def _check_content(file_name: str, file_type: FileType, data: bytes) -> None:
    """Refuse content that is plainly not what the extension says, before starting a converter.

    LibreOffice would otherwise open almost anything as plain text and
    "convert" a damaged Word file into a page of garbage.
    """
    if not data:
        raise ConversionFailedError(f"{file_name}: the file is empty.")
    head = data[:1024].lstrip()
    if file_type is PS:
        ok = head.startswith(b"%!") or data.startswith(b"\xc5\xd0\xd3\xc6")
    elif file_type is RTF:
        ok = head.startswith(b"{\\rtf")
    elif file_type is DOC:
        # Word also saves RTF under a .doc name; it opens either way.
        ok = data.startswith(_OLE_SIGNATURE) or head.startswith(b"{\\rtf")
    elif file_type in (XLS, PPT):
        ok = data.startswith(_OLE_SIGNATURE)
    else:
        ok = _is_office_open_xml(file_type, data)
    if not ok:
        raise ConversionFailedError(
            f"{file_name}: the file is damaged or is not really a {file_type.label}."
        )


def _is_office_open_xml(file_type: FileType, data: bytes) -> bool:
    if not data.startswith(_ZIP_SIGNATURE):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _OOXML_MAIN_PART[file_type] in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError):
        return False


_default: OfficeConverter | None = None
_default_lock = threading.Lock()


def default_converter() -> OfficeConverter:
    """The converter for this process, using whatever is installed (looked up once)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = OfficeConverter.discover()
            _log.info(
                "LibreOffice: %s; Ghostscript: %s",
                _default.soffice or "not installed",
                _default.ghostscript or "not installed",
            )
        return _default
