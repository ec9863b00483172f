#!/bin/sh
# Packs dist/faxgui.app (from `python3 packaging/build_bundle.py` on a Mac) into
# dist/faxgui-<version>-macos-<arch>.dmg: a window with faxgui and a link to
# Applications, so a standard user drags one onto the other. Signs the dmg when
# FAXGUI_CODESIGN_IDENTITY names a "Developer ID Application" identity in the keychain
# (the app itself was signed by the spec with the same identity).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
app=$root/dist/faxgui.app
if [ ! -d "$app" ]; then
    echo "make_dmg.sh: no $app; build the bundle first (python3 packaging/build_bundle.py)" >&2
    exit 1
fi

version=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")
dmg=$root/dist/faxgui-$version-macos-$(uname -m).dmg
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# ditto keeps the app's symlinks, extended attributes and signature intact.
ditto "$app" "$stage/faxgui.app"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "faxgui $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${FAXGUI_CODESIGN_IDENTITY:-}" ]; then
    codesign --sign "$FAXGUI_CODESIGN_IDENTITY" --timestamp "$dmg"
    codesign --verify --verbose=2 "$dmg"
else
    echo "make_dmg.sh: FAXGUI_CODESIGN_IDENTITY is not set, so the dmg is not signed."
fi
echo "wrote $dmg"
