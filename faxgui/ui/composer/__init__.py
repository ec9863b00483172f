"""The composer: the page where a fax is put together, checked and sent."""

from faxgui.ui.composer.page import ComposerPage

__all__ = ["ComposerPage"]
