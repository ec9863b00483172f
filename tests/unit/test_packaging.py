"""The installer recipes in packaging/: the files they name exist, and they say what they must."""

from __future__ import annotations

import configparser
import importlib.util
import os
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pymupdf
import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
SPEC = PACKAGING / "faxgui.spec"
ISS = PACKAGING / "windows" / "faxgui.iss"
DESKTOP = PACKAGING / "linux" / "faxgui.desktop"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def load_script(name: str) -> ModuleType:
    """A script of packaging/ as a module (packaging/ is not a package)."""
    path = PACKAGING / name
    spec = importlib.util.spec_from_file_location(f"packaging_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the spec


def test_every_file_the_spec_names_exists() -> None:
    text = SPEC.read_text("utf-8")
    named = re.findall(r'(HERE|RESOURCES)((?: / "[^"]+")+)', text)
    assert len(named) >= 5, named
    for base, parts in named:
        path = {"HERE": PACKAGING, "RESOURCES": RESOURCES}[base]
        for part in re.findall(r'"([^"]+)"', parts):
            path /= part
        assert path.exists(), f"the spec names {path}, which is missing"


def test_the_spec_keeps_out_what_the_app_does_not_use() -> None:
    text = SPEC.read_text("utf-8")
    for excluded in ('"tkinter"', '"pytest"', '"keyrings.alt"', '"phonenumbers.geodata"'):
        assert excluded in text
    # Qt translations are dropped and plugins are kept by an allow-list.
    assert 'kind == "translations"' in text
    assert "KEEP_PLUGINS" in text
    # macOS gets the document types and entitlements files.
    assert "info_plist=info_plist" in text
    assert "entitlements_file=" in text


def test_the_wheel_carries_the_data_the_bundle_reads() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    data_line = next(
        line for line in pyproject.splitlines() if line.startswith('"faxgui.resources" = [')
    )
    for pattern in ("*.wsdl", "*.svg", "*.ico", "*.icns", "*.pdf"):
        assert f'"{pattern}"' in data_line
    assert re.search(r'^package = \[\s*\n\s*"pyinstaller', pyproject, re.MULTILINE)


# --------------------------------------------------------------------------- Windows


def test_every_file_the_inno_setup_script_names_exists() -> None:
    text = ISS.read_text("utf-8")
    here = ISS.parent
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE)
    assert icon is not None
    assert (here / icon.group(1).strip().replace("\\", "/")).is_file()
    source_dir = re.search(r'#define SourceDir "([^"]+)"', text)
    assert source_dir is not None
    # The bundle folder is the build's output: it is where build_bundle.py puts it.
    bundle = (here / source_dir.group(1).replace("\\", "/")).resolve()
    assert bundle == load_script("build_bundle.py").bundle_folder().resolve()


def test_the_installer_is_per_user_with_an_all_users_choice_and_upgrades_cleanly() -> None:
    text = ISS.read_text("utf-8")
    setup = dict(
        line.split("=", 1)
        for line in text.split("[Setup]", 1)[1].split("\n[", 1)[0].splitlines()
        if "=" in line and not line.startswith(";") and not line.startswith("#")
    )
    assert setup["PrivilegesRequired"] == "lowest"
    assert "dialog" in setup["PrivilegesRequiredOverridesAllowed"]
    assert setup["DefaultDirName"] == r"{autopf}\faxgui"
    assert re.fullmatch(r"\{\{[0-9A-F-]{36}\}", setup["AppId"])
    assert setup["VersionInfoVersion"] == "{#AppVersion}"
    # An upgrade deletes the old bundle's files before copying the new ones.
    install_delete = text.split("[InstallDelete]", 1)[1].split("\n[", 1)[0]
    assert r'Name: "{app}\_internal"' in install_delete
    # Start menu entry, and a desktop icon only when asked for.
    assert r'Name: "{autoprograms}\faxgui"' in text
    assert re.search(r'Name: "desktopicon".*Flags: unchecked', text)
    assert r'Name: "{autodesktop}\faxgui"' in text


def test_send_with_faxgui_is_on_pdf_files_for_the_user_who_installed_it() -> None:
    text = ISS.read_text("utf-8")
    verb = r"Software\Classes\SystemFileAssociations\.pdf\shell\faxgui.send"
    entries = [line for line in text.splitlines() if verb in line]
    # HKA: HKCU\Software\Classes for a per-user install (HKLM for all users).
    assert entries
    assert all(line.startswith("Root: HKA;") for line in entries)
    assert any('ValueData: "Send with faxgui"' in line for line in entries)
    command = next(line for line in entries if verb + r"\command" in line)
    assert r'"""{app}\{#AppExe}"" ""%1"""' in command


# --------------------------------------------------------------------------- macOS


def test_the_mac_app_opens_pdf_and_tiff_dropped_on_its_dock_icon() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    types = {t for entry in info["CFBundleDocumentTypes"] for t in entry["LSItemContentTypes"]}
    assert {"com.adobe.pdf", "public.tiff"} <= types
    assert all(e["CFBundleTypeRole"] == "Viewer" for e in info["CFBundleDocumentTypes"])
    assert info["NSHighResolutionCapable"] is True
    # Follows the system's dark appearance.
    assert info["NSRequiresAquaSystemAppearance"] is False
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True


def test_notarisation_skips_cleanly_without_a_signing_identity(tmp_path: Path) -> None:
    dmg = tmp_path / "faxgui-0.1.0-macos-arm64.dmg"
    dmg.write_bytes(b"not really a disk image")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    done = subprocess.run(
        ["sh", str(PACKAGING / "macos" / "notarize.sh"), str(dmg)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped: no signing identity" in done.stdout

    env["FAXGUI_CODESIGN_IDENTITY"] = "Developer ID Application: Example (TEAMID1234)"
    done = subprocess.run(
        ["sh", str(PACKAGING / "macos" / "notarize.sh"), str(dmg)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped: no notary credentials" in done.stdout


# --------------------------------------------------------------------------- Linux


def test_the_desktop_entry_opens_documents_with_faxgui() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "faxgui %F"
    # Qt names the window after the desktop file (app.setDesktopFileName("faxgui")).
    assert DESKTOP.name == "faxgui.desktop"
    assert desktop["Icon"] == "faxgui"
    assert desktop["StartupWMClass"] == "faxgui"
    mime_types = desktop["MimeType"]
    assert mime_types.endswith(";")
    assert {"application/pdf", "image/tiff"} <= set(mime_types.split(";"))
    assert desktop["Categories"].endswith(";")


def fake_bundle(folder: Path) -> Path:
    """An unpacked tarball's layout, with a stand-in for the frozen app."""
    folder.mkdir(parents=True)
    app = folder / "faxgui"
    app.write_text("#!/bin/sh\necho faxgui 0.1.0\n")
    app.chmod(0o755)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "old-library.so").write_text("from the old version")
    shutil.copy(PACKAGING / "linux" / "install.sh", folder / "install.sh")
    (folder / "share" / "applications").mkdir(parents=True)
    shutil.copy(DESKTOP, folder / "share" / "applications" / "faxgui.desktop")
    icon = folder / "share" / "icons" / "hicolor" / "48x48" / "apps" / "faxgui.png"
    icon.parent.mkdir(parents=True)
    Image.new("RGBA", (48, 48)).save(icon)
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="a Linux install script")
def test_install_sh_installs_for_the_user_upgrades_in_place_and_uninstalls(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home with space"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    first = fake_bundle(tmp_path / "faxgui-0.1.0")
    done = subprocess.run(
        ["sh", str(first / "install.sh")], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr

    dest = home / ".local" / "opt" / "faxgui"
    assert (dest / "faxgui").is_file()
    assert (home / ".local" / "bin" / "faxgui").resolve() == (dest / "faxgui").resolve()
    installed = (home / ".local" / "share" / "applications" / "faxgui.desktop").read_text()
    assert f'Exec="{dest}/faxgui" %F' in installed.splitlines()
    assert (home / ".local/share/icons/hicolor/48x48/apps/faxgui.png").is_file()

    # A newer version: the old one's files are gone, not left beside the new ones.
    second = fake_bundle(tmp_path / "faxgui-0.2.0")
    (second / "_internal" / "old-library.so").unlink()
    (second / "_internal" / "new-library.so").write_text("from the new version")
    done = subprocess.run(
        ["sh", str(second / "install.sh")], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (dest / "_internal").iterdir()) == ["new-library.so"]

    done = subprocess.run(
        ["sh", str(dest / "install.sh"), "--uninstall"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not dest.exists()
    assert not (home / ".local" / "bin" / "faxgui").exists()
    assert not (home / ".local/share/applications/faxgui.desktop").exists()
    assert not (home / ".local/share/icons/hicolor/48x48/apps/faxgui.png").exists()


@pytest.mark.parametrize(
    "script",
    ["linux/install.sh", "linux/make_tarball.sh", "macos/make_dmg.sh", "macos/notarize.sh"],
)
def test_shell_scripts_parse_and_are_executable(script: str) -> None:
    path = PACKAGING / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    done = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- icons, sample


def test_the_ico_and_icns_are_drawn_from_the_current_svg(tmp_path: Path) -> None:
    # In a child process: drawing needs a QGuiApplication, and this one may get a QApplication.
    ico, icns = tmp_path / "faxgui.ico", tmp_path / "faxgui.icns"
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "make_icons.py"), "--ico", str(ico), "--icns", str(icns)],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    committed_ico = Image.open(RESOURCES / "faxgui.ico")
    assert committed_ico.info["sizes"] >= {(16, 16), (32, 32), (48, 48), (256, 256)}
    for fresh, committed in ((ico, RESOURCES / "faxgui.ico"), (icns, RESOURCES / "faxgui.icns")):
        new, old = Image.open(fresh).convert("RGBA"), Image.open(committed).convert("RGBA")
        assert new.size == old.size
        # Tolerant of a different Qt's anti-aliasing, not of a changed drawing.
        difference = ImageChops.difference(new, old).convert("L")
        changed = sum(difference.histogram()[49:])
        assert changed < new.width * new.height * 0.01, (
            f"{committed.name} is out of date: run packaging/make_icons.py"
        )


def test_the_sample_pdf_is_the_one_the_script_writes() -> None:
    script = load_script("make_sample_pdf.py")
    with (
        pymupdf.open(RESOURCES / "sample-fax.pdf") as committed,
        pymupdf.open(stream=script.build(), filetype="pdf") as fresh,
    ):
        assert committed.page_count == fresh.page_count == 1
        assert committed[0].get_text() == fresh[0].get_text()
        assert "Sample fax" in committed[0].get_text()


# --------------------------------------------------------------------------- the pipeline


def test_clean_environment_keeps_nothing_of_the_callers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAXGUI_SECRET_OF_THE_SHELL", "leaked")
    build = load_script("build_bundle.py")
    env = build.clean_environment(tmp_path)
    assert "FAXGUI_SECRET_OF_THE_SHELL" not in env
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    if sys.platform != "win32":
        assert env["HOME"] == str(tmp_path)
        assert set(env) == {"QT_QPA_PLATFORM", "LANG", "PATH", "HOME", "TMPDIR"}


def test_ci_builds_and_self_tests_the_bundle_after_the_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert ci.index("make package") > ci.index("make test")
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^package:\n\t\$\(PYTHON\) packaging/build_bundle.py$", makefile, re.M)
    build = load_script("build_bundle.py")
    assert build.LINUX_SIZE_BUDGET_MB == 260
    assert build.SELF_TEST_BUDGET_S == 3.0


def test_the_release_workflow_builds_all_three_and_uses_scripts_that_exist() -> None:
    text = WORKFLOW.read_text("utf-8")
    assert 'tags: ["v*"]' in text
    assert "workflow_dispatch:" in text
    for runner in ("ubuntu-", "windows-", "macos-"):
        assert f"os: {runner}" in text
    for path in re.findall(r"\bpackaging/[\w./-]+\.(?:py|sh|iss)\b", text.replace("\\", "/")):
        assert (ROOT / path).is_file(), f"the workflow runs {path}, which is missing"
    for step in ("build_bundle.py", "make_tarball.sh", "faxgui.iss", "make_dmg.sh", "notarize.sh"):
        assert step in text.replace("\\", "/")
