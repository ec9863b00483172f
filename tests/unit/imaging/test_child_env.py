"""A frozen faxgui starts LibreOffice and Ghostscript with the user's environment, not its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from faxgui.imaging.child_env import program_environment
from faxgui.imaging.office import OfficeConverter

BUNDLE = "/opt/faxgui/_internal"


def test_the_saved_library_path_comes_back() -> None:
    frozen = {
        "LD_LIBRARY_PATH": f"{BUNDLE}:/opt/vendor/lib",
        "LD_LIBRARY_PATH_ORIG": "/opt/vendor/lib",
        "HOME": "/home/reception",
    }
    environment = program_environment(frozen, bundle=BUNDLE)
    assert environment == {"LD_LIBRARY_PATH": "/opt/vendor/lib", "HOME": "/home/reception"}


def test_a_library_path_the_user_never_had_is_removed() -> None:
    environment = program_environment({"LD_LIBRARY_PATH": BUNDLE, "LANG": "en_AU"}, bundle=BUNDLE)
    assert environment == {"LANG": "en_AU"}


def test_aix_library_path_is_restored_the_same_way() -> None:
    environment = program_environment(
        {"LIBPATH": f"{BUNDLE}:/usr/lib", "LIBPATH_ORIG": "/usr/lib"}, bundle=BUNDLE
    )
    assert environment == {"LIBPATH": "/usr/lib"}


def test_the_bundles_folders_leave_the_search_paths_and_the_users_stay() -> None:
    sep = os.pathsep
    environment = program_environment(
        {
            "PATH": sep.join([BUNDLE, "/usr/local/bin", "/usr/bin"]),
            "QT_PLUGIN_PATH": f"{BUNDLE}/PySide6/Qt/plugins",
            "QML2_IMPORT_PATH": sep.join([f"{BUNDLE}/PySide6/Qt/qml", "/home/me/qml"]),
        },
        bundle=BUNDLE,
    )
    assert environment == {
        "PATH": f"/usr/local/bin{sep}/usr/bin",
        "QML2_IMPORT_PATH": "/home/me/qml",
    }


def test_not_frozen_nothing_changes() -> None:
    mine = {"LD_LIBRARY_PATH": "/opt/a", "LD_LIBRARY_PATH_ORIG": "/opt/b", "PATH": "/usr/bin"}
    assert getattr(sys, "frozen", False) is False
    assert program_environment(mine) == mine


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_LIBRARY_PATH is Linux's")
def test_ghostscript_converts_although_the_bundle_holds_libraries_it_cannot_load(
    ghostscript: OfficeConverter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frozen app on Linux: the bootloader put its folder first on the loader's path. A
    # library there that a system program cannot use (here: a broken libc) stops that program
    # before it starts, as a bundled libstdc++ or libz older than the system's would.
    bundle = tmp_path / "_internal"
    bundle.mkdir()
    (bundle / "libc.so.6").write_bytes(b"not this system's C library")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", str(bundle))
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)

    pdf = ghostscript.to_pdf(
        "form.ps",
        b"%!PS\n/Helvetica findfont 30 scalefont setfont\n"
        b"72 700 moveto (Lab results) show showpage\n",
    )

    assert pdf.startswith(b"%PDF")
