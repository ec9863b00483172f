"""Shared test set-up: headless Qt, private settings, data and keyring per test, no stray work."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pytest

if TYPE_CHECKING:
    from faxgui.imaging.office import OfficeConverter

# Before anything imports Qt: every test run is headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own settings, data directory and a real file-backed keyring."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        path = home / sub
        path.mkdir(parents=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    import keyring.core

    # keyring caches its backend at import; rebuild it so it lands in this test's data dir.
    keyring.core.set_keyring(keyring.core.load_env())
    return home


@pytest.fixture(autouse=True)
def gui_thread_gc(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test with Qt collects cyclic garbage on the GUI thread only, as the app does (see
    faxgui/ui/gui_gc.py): a worker freeing an earlier test's widgets crashes the run."""
    collector = None
    if "qapp" in request.fixturenames:
        from faxgui.ui.gui_gc import collect_on_gui_thread

        # Before the test's other fixtures start any thread (the sandbox, workers).
        collector = collect_on_gui_thread(request.getfixturevalue("qapp"))
    yield
    if collector is None and "faxgui.ui.gui_gc" in sys.modules:
        from PySide6.QtWidgets import QApplication

        from faxgui.ui.gui_gc import GuiThreadCollector

        app = QApplication.instance()
        collector = app.findChild(GuiThreadCollector) if app is not None else None
    if collector is not None:
        # Tests that run no event loop (most without Qt) leave the timer no chance: collect
        # here, on the main thread, what is due.
        collector.collect_due()


@pytest.fixture(autouse=True)
def no_stray_workers() -> Iterator[None]:
    """Fail any test that leaves QThreadPool work running (napari's habit)."""
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(5000):
        pytest.fail(f"{pool.activeThreadCount()} worker(s) still running after the test")
    if pool.activeThreadCount():
        pytest.fail(f"{pool.activeThreadCount()} worker(s) still running after the test")


# --------------------------------------------------------------------------- Word documents

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _docx_paragraphs(paragraphs: list[str | list[str]]) -> str:
    """Paragraph XML; a list is one paragraph split into runs, "\\f" alone is a page break."""
    xml = []
    for paragraph in paragraphs:
        if paragraph == "\f":
            xml.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            continue
        runs = [paragraph] if isinstance(paragraph, str) else paragraph
        # 14 pt runs, so merged text is easy to find in a rendered page.
        size = '<w:rPr><w:sz w:val="28"/></w:rPr>'
        body = "".join(
            f'<w:r>{size}<w:t xml:space="preserve">{escape(run)}</w:t></w:r>' for run in runs
        )
        xml.append(f"<w:p>{body}</w:p>")
    return "".join(xml)


def build_docx(
    paragraphs: list[str | list[str]],
    header: list[str | list[str]] | None = None,
    footer: list[str | list[str]] | None = None,
) -> bytes:
    """A small, valid Word document (what Word itself needs to open it), optionally with a
    header and a footer. Run texts are plain text: `<mf:name>` is escaped as Word stores it."""
    parts: dict[str, str] = {}
    overrides = [("/word/document.xml", f"{_DOC_TYPE}.document.main+xml")]
    relations = []
    references = []
    for kind, root, content in (("header", "hdr", header), ("footer", "ftr", footer)):
        if content is None:
            continue
        parts[f"word/{kind}1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:{root} xmlns:w="{_W}" xmlns:r="{_R}">{_docx_paragraphs(content)}'
            f"</w:{root}>"
        )
        overrides.append((f"/word/{kind}1.xml", f"{_DOC_TYPE}.{kind}+xml"))
        relations.append(f'<Relationship Id="r{kind}" Type="{_R}/{kind}" Target="{kind}1.xml"/>')
        references.append(f'<w:{kind}Reference w:type="default" r:id="r{kind}"/>')
    parts["word/document.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>{_docx_paragraphs(paragraphs)}'
        f'<w:sectPr>{"".join(references)}<w:pgSz w:w="12240" w:h="15840"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" '
        'w:footer="720" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    parts["word/_rels/document.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_RELS}">'
        f"{''.join(relations)}</Relationships>"
    )
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    content_types = "".join(
        f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{content_types}</Types>",
        )
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.fixture
def make_docx() -> Callable[..., bytes]:
    """make_docx(paragraphs, header=None, footer=None): a real .docx (see `build_docx`)."""
    return build_docx


# --------------------------------------------------------------------------- LibreOffice

_INSTALL_OFFICE = (
    "apt-get install --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui "
    "libreoffice-impress-nogui fonts-liberation2 ghostscript"
)


def _installed_or_skip(program: str, found: object) -> None:
    if found is not None:
        return
    message = f"{program} is not installed ({_INSTALL_OFFICE}), so its conversions are not tested"
    # CI installs both (see .ci/run) and sets this, so a missing program fails there.
    if os.environ.get("FAXGUI_REQUIRE_OFFICE"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def libreoffice() -> OfficeConverter:
    """This computer's OfficeConverter, when LibreOffice is installed (the test skips if not)."""
    from faxgui.imaging.office import default_converter

    converter = default_converter()
    _installed_or_skip("LibreOffice", converter.soffice)
    return converter


@pytest.fixture
def ghostscript() -> OfficeConverter:
    """This computer's OfficeConverter, when Ghostscript is installed (the test skips if not)."""
    from faxgui.imaging.office import default_converter

    converter = default_converter()
    _installed_or_skip("Ghostscript", converter.ghostscript)
    return converter


@pytest.fixture
def no_office() -> OfficeConverter:
    """An OfficeConverter for a computer with neither LibreOffice nor Ghostscript."""
    from faxgui.imaging.office import OfficeConverter

    return OfficeConverter.discover(search_path="", locations=())
