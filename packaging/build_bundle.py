"""Builds faxgui's one-folder bundle for this machine, then proves it works (`make package`).

1. Installs faxgui (not editable: what a user gets) and PyInstaller into its own
   virtualenv, build/package-venv, with only faxgui's run-time dependencies.
2. Runs packaging/faxgui.spec: dist/faxgui/ (and dist/faxgui.app on macOS).
3. Runs the frozen app's `--self-test` offscreen, in a clean environment (no
   variables but the few a program needs, HOME in a new empty folder), and reads
   its report.
4. Fails when a budget is exceeded: the Linux bundle's size, and the self-test's
   time (the best of three runs, since the machine may be busy with other work).

Uses only the standard library, so any Python 3.11+ can run it:
`python3 packaging/build_bundle.py`. The numbers go to build/package-report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "faxgui.spec"
VENV = ROOT / "build" / "package-venv"
WORK = ROOT / "build" / "pyinstaller"
DIST = ROOT / "dist"
REPORT = ROOT / "build" / "package-report.json"

# The budgets. The size applies to the Linux bundle (the one CI builds); the other
# systems' sizes are reported.
LINUX_SIZE_BUDGET_MB = 260
SELF_TEST_BUDGET_S = 3.0
SELF_TEST_RUNS = 3
# A self-test that hangs is ended well after any budget.
SELF_TEST_TIMEOUT_S = 120


def _venv_python() -> Path:
    if sys.platform == "win32":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _run(command: list[str | Path], **kwargs: object) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)  # type: ignore[call-overload]


def install() -> None:
    """The build virtualenv with faxgui and PyInstaller (made on first use, refreshed after)."""
    python = _venv_python()
    if not python.exists():
        _run([sys.executable, "-m", "venv", VENV])
        _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools", "wheel"])
    # The dependencies again only when pyproject.toml changed; faxgui itself every time, since
    # its source changes while its version number does not.
    stamp = VENV / ".installed-pyproject"
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    if not stamp.exists() or stamp.read_text("utf-8") != pyproject:
        _run([python, "-m", "pip", "install", "--quiet", f"{ROOT}[package]"])
        stamp.write_text(pyproject, "utf-8")
    _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
            "--no-build-isolation",
            ROOT,
        ]
    )


def build() -> None:
    """Run the spec with the build virtualenv's PyInstaller."""
    _run(
        [
            _venv_python(),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            DIST,
            "--workpath",
            WORK,
            SPEC,
        ],
        # Not from the checkout: with it on sys.path, the source tree's faxgui (which has no
        # faxgui.resources inside) would be bundled instead of the installed one.
        cwd=WORK.parent,
    )


def bundle_folder() -> Path:
    return DIST / "faxgui"


def executable() -> Path:
    if sys.platform == "win32":
        return bundle_folder() / "faxgui.exe"
    if sys.platform == "darwin":
        return DIST / "faxgui.app" / "Contents" / "MacOS" / "faxgui"
    return bundle_folder() / "faxgui"


def folder_size(folder: Path) -> int:
    """Bytes in the files under `folder` (links counted once, as the link)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_symlink():
            total += path.lstat().st_size
        elif path.is_file():
            total += path.stat().st_size
    return total


def clean_environment(home: Path) -> dict[str, str]:
    """What the self-test runs with: no variables from this shell but the essentials."""
    env = {"QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    if sys.platform == "win32":
        for name in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT"):
            if name in os.environ:
                env[name] = os.environ[name]
        env["PATH"] = os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"), "System32")
        env["USERPROFILE"] = str(home)
        env["APPDATA"] = str(home / "AppData" / "Roaming")
        env["LOCALAPPDATA"] = str(home / "AppData" / "Local")
        env["TEMP"] = env["TMP"] = str(home / "Temp")
        for variable in ("APPDATA", "LOCALAPPDATA", "TEMP"):
            Path(env[variable]).mkdir(parents=True, exist_ok=True)
    else:
        env["PATH"] = "/usr/bin:/bin"
        env["HOME"] = str(home)
        env["TMPDIR"] = str(home / "tmp")
        Path(env["TMPDIR"]).mkdir(parents=True, exist_ok=True)
    return env


def self_test() -> tuple[dict[str, object], list[float]]:
    """The frozen app's self-test report (the last run's) and each run's wall time."""
    times: list[float] = []
    report: dict[str, object] = {}
    for run in range(SELF_TEST_RUNS):
        with tempfile.TemporaryDirectory(prefix="faxgui-selftest-") as home:
            report_file = Path(home) / "report.json"
            env = clean_environment(Path(home))
            started = time.perf_counter()
            done = subprocess.run(
                [str(executable()), "--self-test", "--report", str(report_file)],
                env=env,
                capture_output=True,
                text=True,
                timeout=SELF_TEST_TIMEOUT_S,
                check=False,
            )
            times.append(time.perf_counter() - started)
            text = report_file.read_text("utf-8") if report_file.exists() else ""
        print(f"self-test run {run + 1}: {times[-1]:.2f} s, exit {done.returncode}", flush=True)
        try:
            report = json.loads(text)
        except ValueError:
            report = {"ok": False, "reason": "no report", "stdout": done.stdout}
        if done.returncode != 0 or report.get("ok") is not True:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            raise SystemExit(f"The frozen app's self-test failed: {report.get('reason')}")
    return report, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="use build/package-venv as it is")
    parser.add_argument(
        "--no-build", action="store_true", help="only test the bundle already in dist/"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if not args.no_build:
        if not args.no_install:
            install()
        shutil.rmtree(bundle_folder(), ignore_errors=True)
        build()
    build_s = time.perf_counter() - started
    size_mb = folder_size(bundle_folder()) / 1e6
    print(f"bundle: {bundle_folder()} {size_mb:.1f} MB (built in {build_s:.0f} s)", flush=True)
    report, times = self_test()
    best = min(times)
    summary = {
        "system": f"{platform.system()} {platform.machine()}",
        "bundle_mb": round(size_mb, 1),
        "bundle_budget_mb": LINUX_SIZE_BUDGET_MB if sys.platform.startswith("linux") else None,
        "self_test_s": [round(t, 2) for t in times],
        "self_test_best_s": round(best, 2),
        "self_test_budget_s": SELF_TEST_BUDGET_S,
        "build_s": round(build_s, 1),
        "report": report,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print(json.dumps(report))
    print(
        f"self-test: best {best:.2f} s of {[round(t, 2) for t in times]} "
        f"(budget {SELF_TEST_BUDGET_S} s); bundle {size_mb:.1f} MB"
        + (f" (budget {LINUX_SIZE_BUDGET_MB} MB)" if summary["bundle_budget_mb"] else ""),
        flush=True,
    )
    problems = []
    if summary["bundle_budget_mb"] and size_mb > LINUX_SIZE_BUDGET_MB:
        problems.append(f"the bundle is {size_mb:.1f} MB, over {LINUX_SIZE_BUDGET_MB} MB")
    if best > SELF_TEST_BUDGET_S:
        problems.append(f"the self-test took {best:.2f} s, over {SELF_TEST_BUDGET_S} s")
    if problems:
        raise SystemExit("Over budget: " + "; ".join(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
