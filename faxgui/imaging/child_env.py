"""The environment for programs faxgui starts: the user's own, not the frozen bundle's.

A PyInstaller build points the dynamic loader at the bundle's own libraries
(Linux: `LD_LIBRARY_PATH`, AIX: `LIBPATH`; the user's value is kept in
`<name>_ORIG`, absent when there was none) and Qt at the bundle's plugins.
LibreOffice or Ghostscript started with those would load our copies of
libstdc++, libz or Qt instead of their own and fail in ways that name no
culprit ("symbol lookup error"), so every child gets the environment back as
it was before the bundle changed it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

_LOADER_PATHS = ("LD_LIBRARY_PATH", "LIBPATH")
"""Set by PyInstaller's bootloader, with the user's value saved under `<name>_ORIG`."""

_BUNDLE_PATHS = ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "DYLD_LIBRARY_PATH", "PATH")
"""Path lists PyInstaller's run-time hooks set or prepend with folders of the bundle."""


def bundle_folder() -> str | None:
    """Where a frozen faxgui's files are (PyInstaller's `sys._MEIPASS`); None when not frozen."""
    if not getattr(sys, "frozen", False):
        return None
    folder = getattr(sys, "_MEIPASS", None)
    return folder if isinstance(folder, str) else None


def program_environment(
    environ: Mapping[str, str] | None = None, bundle: str | None = None
) -> dict[str, str]:
    """The environment to start another program with (default: this process's, as frozen or
    not). Unchanged when faxgui is not frozen (`bundle` None)."""
    environment = dict(os.environ if environ is None else environ)
    if bundle is None:
        bundle = bundle_folder()
    if bundle is None:
        return environment
    for name in _LOADER_PATHS:
        original = environment.pop(f"{name}_ORIG", None)
        if original is not None:
            environment[name] = original
        else:
            environment.pop(name, None)
    inside = Path(bundle).resolve()
    for name in _BUNDLE_PATHS:
        value = environment.get(name)
        if value is None:
            continue
        kept = [entry for entry in value.split(os.pathsep) if not _within(entry, inside)]
        if kept:
            environment[name] = os.pathsep.join(kept)
        else:
            del environment[name]
    return environment


def _within(entry: str, folder: Path) -> bool:
    if not entry:
        return False
    path = Path(entry).resolve()
    return path == folder or folder in path.parents
