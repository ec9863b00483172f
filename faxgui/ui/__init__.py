"""The desktop user interface: the only package that imports Qt (PySide6)."""

from faxgui.ui.pyside_fixes import protect_none_from_void_call_leak, protect_true_from_emit_leak

protect_true_from_emit_leak()
protect_none_from_void_call_leak()
