"""The preview pane: a document as the fax machine will print it, made by the fax service.

"Preview as fax" saves the document on the service once (its copy is
recorded on the draft document and reused by later previews and the send),
asks FaxDocumentPreview for it at the chosen resolution and dithering with
the document's merge fields and stamps, and shows the TIFF that comes back
in a page viewer. Everything that waits runs on a worker; Cancel frees the
pane at once and the late answer is dropped. Previews are kept in the shared
cache (`faxgui.compose.preview`), so switching back to options seen before
shows them without asking the service again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.compose.preview import (
    FaxPreview,
    PreviewCache,
    PreviewError,
    PreviewJob,
    PreviewOutcome,
    make_preview,
    shared_preview_cache,
)
from faxgui.imaging.page_images import PageSource, UnrenderableDocumentError
from faxgui.ui.composer.documents_panel import DITHERING_NAMES
from faxgui.ui.designer.page_viewer import PageViewer
from faxgui.ui.feedback import ERROR, NOTE, describe_error
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.compose.draft import DraftDocument, SavedCopy

log = logging.getLogger(__name__)

RESOLUTION_NAMES: dict[Resolution, str] = {
    Resolution.NORMAL: "Normal (98 lines per inch)",
    Resolution.FINE: "Fine (196 lines per inch)",
}
"""The resolution choices in plain words, in the order the combo box lists them."""

MAKING = "Making the preview as the fax will print…"
FAILED = "The preview could not be made."
CANCELLED = "Preview cancelled. Press “Preview as fax” to make it."
NOTHING_YET = "Press “Preview as fax” to see this document as the fax machine will print it."
NO_SERVICE = (
    "Previews are made by the fax service, and no service is set up yet. "
    "Choose one in File → Settings…, then try again."
)
_RESOLUTIONS = list(RESOLUTION_NAMES)
_TECHNIQUES = list(DITHERING_NAMES)

UNSHOWABLE = (
    "The fax service sent a preview this program cannot show. Try again; if it keeps "
    "happening, contact the fax service's support."
)

ClientFactory = Callable[[], "MonopondClient"]


def pages_text(preview: FaxPreview) -> str:
    """What the pane says about a preview: "3 pages as the fax will print, fine resolution"."""
    count = preview.pages
    noun = "page" if count == 1 else "pages"
    return f"{count:,} {noun} as the fax will print, {preview.resolution.value} resolution"


@dataclass(frozen=True, slots=True)
class _Shown:
    """A finished preview and the page source opened for it on the worker."""

    outcome: PreviewOutcome
    source: PageSource | None


def _make(
    factory: ClientFactory, job: PreviewJob, cache: PreviewCache, cancel: threading.Event
) -> _Shown:
    """The worker's part: a client, the preview, and its pages opened for showing."""
    client = factory()
    try:
        outcome = make_preview(client, job, cache, cancel=cancel)
    finally:
        client.close()
    if outcome.preview is None or cancel.is_set():
        return _Shown(outcome, None)
    try:
        source = PageSource("fax-preview.tif", outcome.preview.tiff)
    except UnrenderableDocumentError as exc:
        raise PreviewError(UNSHOWABLE, exc, outcome.saved_copy) from exc
    return _Shown(outcome, source)


@dataclass(slots=True)
class _Running:
    ticket: int
    cancel: threading.Event


class PreviewPane(QWidget):
    """Resolution and dithering choices, "Preview as fax", Cancel, and the fax's pages.

    Give it a client factory (`set_client_factory`, the main window's
    `ClientFactory`), then `show_preview(document)`; the pane keeps the
    document and previews it again when the resolution or dithering changes
    or "Preview as fax" is pressed (after its stamps were moved, say). One
    preview runs at a time: asking for another while one runs drops the
    first one's answer and starts the new one when the first ends.

    Signals:
        preview_ready(int): a preview is shown; its page count.
        preview_failed(str): no preview could be made; the sentence shown, saying why.
        saved_copy_changed(object): the DraftDocument whose saved copy on the service
            was recorded or replaced (save the draft).
    """

    preview_ready = Signal(int)
    preview_failed = Signal(str)
    saved_copy_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, cache: PreviewCache | None = None) -> None:
        super().__init__(parent)
        self._cache = cache if cache is not None else shared_preview_cache()
        self._factory: ClientFactory | None = None
        self._document: DraftDocument | None = None
        # Bumped by every start and by Cancel: an answer whose ticket is old is not shown.
        self._ticket = 0
        self._running: _Running | None = None
        self._start_when_free = False
        self._busy = False
        self.preview: FaxPreview | None = None
        """The preview shown, or None."""

        self.resolution_box = QComboBox()
        self.resolution_box.addItems(list(RESOLUTION_NAMES.values()))
        self.resolution_box.setToolTip(
            "Fine sends twice the lines per inch: sharper small print, longer to send"
        )
        self.dithering_box = QComboBox()
        self.dithering_box.addItems(list(DITHERING_NAMES.values()))
        self.dithering_box.setToolTip("How greys and photos become black dots on the fax")
        self.preview_button = QPushButton("Preview as fax")
        self.preview_button.setToolTip(
            "Ask the fax service to draw this document exactly as the fax will print"
        )
        self.preview_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop waiting for this preview")
        self.status_label = QLabel(NOTHING_YET)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.viewer = PageViewer(self)
        self.viewer.show_message(NOTHING_YET)

        self._build_layout()
        self.preview_button.clicked.connect(self.refresh)
        self.cancel_button.clicked.connect(self.cancel)
        self.resolution_box.currentIndexChanged.connect(self._options_changed)
        self.dithering_box.currentIndexChanged.connect(self._options_changed)
        self._set_running(False)

    def _build_layout(self) -> None:
        resolution_label = QLabel("&Resolution:")
        resolution_label.setBuddy(self.resolution_box)
        dithering_label = QLabel("&Dithering:")
        dithering_label.setBuddy(self.dithering_box)
        # Two short rows rather than one long one: the pane must fit beside the original.
        self.dithering_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dithering_box.setMinimumContentsLength(10)
        options = QHBoxLayout()
        options.addWidget(resolution_label)
        options.addWidget(self.resolution_box)
        options.addSpacing(12)
        options.addWidget(dithering_label)
        options.addWidget(self.dithering_box, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.preview_button)
        actions.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(options)
        layout.addLayout(actions)
        layout.addWidget(self.viewer, 1)

    # ------------------------------------------------------------------ public API

    def set_client_factory(self, factory: ClientFactory | None) -> None:
        """Where previews are made: called on a worker for a client to the service in use."""
        self._factory = factory

    @property
    def document(self) -> DraftDocument | None:
        """The document the pane previews."""
        return self._document

    @property
    def running(self) -> bool:
        """True while a preview is being made for the pane."""
        return self._busy

    # Choices are found by position: Qt hands enum members back as plain strings.

    def resolution(self) -> Resolution:
        return _RESOLUTIONS[self.resolution_box.currentIndex()]

    def set_resolution(self, resolution: Resolution) -> None:
        """Choose the resolution (previewing again if a document is shown)."""
        self.resolution_box.setCurrentIndex(_RESOLUTIONS.index(resolution))

    def dithering(self) -> DitheringTechnique | None:
        return _TECHNIQUES[self.dithering_box.currentIndex()]

    def set_dithering(self, dithering: DitheringTechnique | None) -> None:
        """Choose the dithering technique (previewing again if a document is shown)."""
        self.dithering_box.setCurrentIndex(_TECHNIQUES.index(dithering))

    def show_preview(self, document: DraftDocument) -> None:
        """Preview `document` with its stamps, merge fields and dithering, at the pane's
        resolution; the dithering choice starts at the document's own."""
        if document is not self._document:
            self._document = document
            self.dithering_box.blockSignals(True)
            self.set_dithering(document.dithering_technique)
            self.dithering_box.blockSignals(False)
            self.preview = None
        self._start()

    def refresh(self) -> None:
        """Preview the document again (its stamps or merge fields may have changed)."""
        if self._document is not None:
            self._start()

    def cancel(self) -> None:
        """Stop waiting for the preview being made: the pane is free at once, and its answer,
        when it comes, is not shown (a copy it saved is still recorded)."""
        if not self._busy:
            return
        if self._running is not None:
            self._running.cancel.set()
        self._ticket += 1
        self._start_when_free = False
        self._set_running(False)
        self.preview = None
        self._say(CANCELLED, NOTE.style())
        self.viewer.show_message(CANCELLED)

    # ------------------------------------------------------------------ running

    def _options_changed(self) -> None:
        if self._document is not None:
            self._start()

    def _start(self) -> None:
        if self._factory is None:
            self._fail(NO_SERVICE)
            return
        self._ticket += 1
        self._set_running(True)
        self._say(
            f"Asking the fax service to draw it at {self.resolution().value} resolution…",
            NOTE.style(),
        )
        self.viewer.show_message(MAKING)
        if self._running is not None:
            # One at a time: the preview under way may be saving this document right now,
            # and the next must reuse that copy rather than save a second one.
            self._running.cancel.set()
            self._start_when_free = True
            return
        self._launch()

    def _launch(self) -> None:
        document, factory = self._document, self._factory
        if document is None or factory is None:
            self._set_running(False)
            return
        job = PreviewJob.for_document(document, self.resolution(), self.dithering())
        running = self._running = _Running(self._ticket, threading.Event())
        run_task(
            _make,
            factory,
            job,
            self._cache,
            running.cancel,
            on_done=lambda shown: self._finished(running, document, job, shown, None),
            on_error=lambda error: self._finished(running, document, job, None, error),
            context=self,
        )

    def _finished(
        self,
        running: _Running,
        document: DraftDocument,
        job: PreviewJob,
        shown: _Shown | None,
        error: Exception | None,
    ) -> None:
        self._running = None
        if shown is not None:
            self._record_copy(document, job, shown.outcome.saved_copy)
        elif isinstance(error, PreviewError):
            self._record_copy(document, job, error.saved_copy)
        current = running.ticket == self._ticket
        if not current:
            if shown is not None and shown.source is not None:
                shown.source.close()
            if self._start_when_free:
                self._start_when_free = False
                self._launch()
            return
        self._set_running(False)
        if error is not None:
            sentence = error.user_message if isinstance(error, PreviewError) else None
            self._fail(sentence or describe_error(error))
            return
        assert shown is not None
        preview, source = shown.outcome.preview, shown.source
        if preview is None or source is None:
            return
        self.preview = preview
        self.viewer.set_document(source)
        self._say(pages_text(preview), NOTE.style())
        self.preview_ready.emit(preview.pages)

    def _record_copy(
        self, document: DraftDocument, job: PreviewJob, copy: SavedCopy | None
    ) -> None:
        """Keep the copy a preview used on its document, unless the document's file was
        replaced meanwhile."""
        if copy is None or document.path != job.path:
            return
        held = document.saved_copy
        if held == copy:
            return
        if held is not None and held.document_ref == copy.document_ref and held.in_use:
            # A send marked it while the preview ran: that mark must not be lost.
            copy = replace(copy, in_use=True)
        document.saved_copy = copy
        self.saved_copy_changed.emit(document)

    def _fail(self, sentence: str) -> None:
        self.preview = None
        self._set_running(False)
        # The sentence goes where the pages would be, in plain sight; the line above says
        # in red that something went wrong.
        self._say(FAILED, ERROR.style())
        self.viewer.show_message(f"{FAILED}\n\n{sentence}")
        self.preview_failed.emit(sentence)

    def _set_running(self, running: bool) -> None:
        self._busy = running
        self.cancel_button.setEnabled(running)
        self.preview_button.setEnabled(not running and self._document is not None)

    def _say(self, text: str, style: str) -> None:
        self.status_label.setStyleSheet(style)
        self.status_label.setText(text)
