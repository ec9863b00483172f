"""The transmission report of a send, printed or saved as PDF from the history's HTML.

The report's content and HTML come from `faxgui.jobs.exports`; here it is
laid out by QTextDocument on A4 and sent to a printer (QPrinter) or a PDF
file (QPdfWriter). Laying out one send's report takes a few milliseconds,
so it is done on the GUI thread, where Qt's text layout must run.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QWidget

# 300 dpi: sharp text in the PDF, and small files (text stays text).
PDF_RESOLUTION = 300
# The resolution QTextDocument lays text out at (a screen's), scaled to the device's.
_LAYOUT_DPI = 96


def write_report_pdf(html: str, path: Path, title: str = "Fax transmission report") -> None:
    """Write the report as an A4 PDF at `path` (raises OSError if it cannot be written)."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(title)
    writer.setCreator("faxgui")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = _laid_out(html, writer.pageLayout())
    document.print_(writer)
    del writer
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"nothing was written to {path}")


def print_report(html: str, parent: QWidget, title: str = "Fax transmission report") -> bool:
    """Ask which printer, then print the report; False when the user cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the transmission report")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    document = _laid_out(html, printer.pageLayout())
    document.print_(printer)
    return True


def _laid_out(html: str, layout: QPageLayout) -> QTextDocument:
    """The report laid out on the page's printable width (QTextDocument would otherwise add
    its own 2 cm margins inside the page's, squeezing the table)."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(html)
    document.setPageSize(QSizeF(layout.paintRectPixels(_LAYOUT_DPI).size()))
    return document
