#!/bin/sh
# Packs the Linux bundle (dist/faxgui, from `make package`) with its menu entry, icons and
# install.sh into dist/faxgui-<version>-linux-<machine>.tar.gz.
# Usage: packaging/linux/make_tarball.sh [python]   (python: one with PySide6 and Pillow,
# to draw the icons; default build/package-venv/bin/python)
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:-$root/build/package-venv/bin/python}
bundle=$root/dist/faxgui
if [ ! -x "$bundle/faxgui" ]; then
    echo "make_tarball.sh: no bundle in $bundle; run make package first" >&2
    exit 1
fi

version=$("$bundle/faxgui" --version | awk '{print $2}')
name=faxgui-$version-linux-$(uname -m)
stage=$root/build/linux-tarball/$name
rm -rf "$root/build/linux-tarball"
mkdir -p "$stage"
cp -R "$bundle/." "$stage/"
mkdir -p "$stage/share/applications" "$stage/share/icons/hicolor"
cp "$root/packaging/linux/faxgui.desktop" "$stage/share/applications/"
cp "$root/packaging/linux/install.sh" "$stage/"
"$python" "$root/packaging/make_icons.py" --only-hicolor --hicolor "$stage/share/icons/hicolor"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$stage/share/applications/faxgui.desktop"
fi

tarball=$root/dist/$name.tar.gz
tar -C "$root/build/linux-tarball" -czf "$tarball" "$name"
echo "wrote $tarball ($(du -h "$tarball" | cut -f1))"
