"""Draws faxgui's icon files from its SVG source, resources/faxgui.svg (Qt SVG + Pillow).

- `resources/faxgui.ico` (Windows: the .exe, the installer, shortcuts) and
  `resources/faxgui.icns` (macOS: the .app) are committed; run this again after
  changing the SVG: `.venv/bin/python packaging/make_icons.py`.
- `--hicolor DIR` also writes the PNG sizes a Linux desktop looks for, as
  `DIR/<n>x<n>/apps/faxgui.png` plus `DIR/scalable/apps/faxgui.svg` (the Linux tarball).

Each size is drawn from the SVG at that size, not scaled down from a large picture,
so the small ones stay as sharp as the drawing allows.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "faxgui.svg"
ICO = ROOT / "resources" / "faxgui.ico"
ICNS = ROOT / "resources" / "faxgui.icns"

ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, sizes: Iterable[int]) -> dict[int, Image.Image]:
    """The SVG drawn at each size (RGBA, transparent around the drawing)."""
    # No window is shown: the offscreen platform works with or without a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG that Qt can draw")
    pictures: dict[int, Image.Image] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide takes str, not bytes
        buffer.close()
        pictures[size] = Image.open(io.BytesIO(bytes(data.data()))).convert("RGBA")
    return pictures


def write_ico(pictures: dict[int, Image.Image], path: Path) -> None:
    largest = pictures[max(ICO_SIZES)]
    largest.save(
        path,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[pictures[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )


def write_icns(pictures: dict[int, Image.Image], path: Path) -> None:
    largest = pictures[max(ICNS_SIZES)]
    largest.save(
        path,
        format="ICNS",
        append_images=[pictures[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )


def write_hicolor(pictures: dict[int, Image.Image], svg: Path, folder: Path) -> None:
    for size in HICOLOR_SIZES:
        target = folder / f"{size}x{size}" / "apps" / "faxgui.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        pictures[size].save(target, format="PNG")
    scalable = folder / "scalable" / "apps" / "faxgui.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG, help="the source drawing")
    parser.add_argument("--ico", type=Path, default=ICO, help="where to write the .ico")
    parser.add_argument("--icns", type=Path, default=ICNS, help="where to write the .icns")
    parser.add_argument(
        "--hicolor", type=Path, help="also write Linux desktop icons into this folder"
    )
    parser.add_argument(
        "--only-hicolor", action="store_true", help="write the Linux icons only (with --hicolor)"
    )
    args = parser.parse_args(argv)
    sizes = set(HICOLOR_SIZES) if args.only_hicolor else {*ICO_SIZES, *ICNS_SIZES}
    if args.hicolor:
        sizes |= set(HICOLOR_SIZES)
    pictures = render(args.svg, sorted(sizes))
    if not args.only_hicolor:
        write_ico(pictures, args.ico)
        write_icns(pictures, args.icns)
        print(f"wrote {args.ico} and {args.icns}")
    if args.hicolor:
        write_hicolor(pictures, args.svg, args.hicolor)
        print(f"wrote the desktop icons under {args.hicolor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
