"""Which documents the stamp designer opens for, and the resolution and convention it works at.

Kept apart from the designer window, and free of Qt, so the composer can ask
these questions without loading the designer before it is first opened.
"""

from __future__ import annotations

from faxgui.api.enums import Resolution
from faxgui.compose.draft import Draft, DraftDocument, Recipient
from faxgui.config.options import STAMP_TEXT_ANCHOR, STAMP_Y_RULE
from faxgui.config.settings import Settings
from faxgui.imaging.formats import TXT, file_type_for
from faxgui.imaging.stamp_geometry import StampConvention


def why_not_designable(document: DraftDocument) -> str | None:
    """Why the designer cannot open for a document, in a sentence; None when it can."""
    if document.path is None:
        return (
            "A document saved on the fax service is not on this computer, so its pages "
            "cannot be shown or stamped here."
        )
    file_type = file_type_for(document.file_name or "")
    if file_type is None:
        return "faxgui does not know this kind of file."
    if file_type is TXT:
        return "Stamps apply to PDF and TIFF pages, not to plain text. Save it as PDF to stamp it."
    if file_type.accepts_doc_merge or file_type.renders_locally:
        return None
    return (
        f"Stamps apply to PDF and TIFF pages, and merge fields to Word documents; a "
        f"{file_type.label} can have neither. Save it as PDF to stamp it."
    )


def send_resolution(owner: object) -> Resolution:
    """The resolution a document of `owner` (the draft, or a recipient) is sent at."""
    options = None
    if isinstance(owner, Draft):
        options = owner.options
    elif isinstance(owner, Recipient):
        options = owner.overrides
    resolution = None if options is None else options.resolution
    # Unset means the account's default, which the service documents as normal.
    return resolution or Resolution.NORMAL


def convention_from_settings(settings: Settings | None = None) -> StampConvention:
    """How stamp coordinates are read, as the settings say (the user's settings file if None)."""
    settings = settings if settings is not None else Settings.load()
    return StampConvention(settings.get(STAMP_Y_RULE), settings.get(STAMP_TEXT_ANCHOR))
