"""Work-arounds for known PySide6 bugs, applied once when the ui package is first imported.

PySide6 6.12.0 returns `True` from `SignalInstance.emit()` without taking a
reference to it, so every signal emitted from Python lowers the reference
count of `True` by one. On Python 3.11, where `True` is not yet immortal, a
process that emits enough signals (a long day at the front desk, or a test
run) dies with "Fatal Python error: bool_dealloc". Python 3.12 made `True`
immortal, which is what we imitate here: we give it a reference count so large
that no session can emit it away. The fix is applied only when a probe shows
the leak, so it disappears by itself once PySide6 is fixed.

The same release returns `None` from every void method (`QPainter.fillRect`,
`QWidget.resize`, ...) without taking a reference to it, so each call lowers
`None`'s count by one; a page view painting a few pages per frame would
abort the process within seconds of scrolling. `None` gets the same headroom.
It also returns `None` without a reference from calls that answer "no
object" or "no value" (`QLabel.buddy()`, `QApplication.focusWidget()`, an
empty `QModelIndex.data()`, `QObject.property()` of an unset name), which
the same headroom covers. Probed likewise and found sound: calls returning
`False`, small ints, `""`, `()`, rich comparisons answering
`NotImplemented`, signals carrying each of those, and Python overrides
called from C++ (`paint`, `data`, `event`, `filterAcceptsRow`, slots).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QRect, Signal

# Far more emits than any process will make, far below where a Py_ssize_t would overflow.
_HEADROOM = 1 << 40


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    """Does emitting a signal from Python lower the reference count of True?"""
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    return sys.getrefcount(True) < before


def protect_true_from_emit_leak() -> bool:
    """Apply the fix if this PySide6 leaks; returns whether it was needed."""
    if sys.version_info >= (3, 12) or not emit_leaks_true():
        return False
    # ob_refcnt is the first field of every CPython object.
    ctypes.c_ssize_t.from_address(id(True)).value += _HEADROOM
    return True


def void_call_leaks_none() -> bool:
    """Does calling a void method from Python lower the reference count of None?"""
    rect = QRect()
    before = sys.getrefcount(None)
    for _ in range(10):
        rect.setWidth(1)
    return sys.getrefcount(None) <= before - 10


def protect_none_from_void_call_leak() -> bool:
    """Apply the fix if this PySide6 leaks None; returns whether it was needed."""
    if sys.version_info >= (3, 12) or not void_call_leaks_none():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    return True
