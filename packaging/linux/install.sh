#!/bin/sh
# Installs faxgui for this user, from the folder this script is in (the unpacked tarball):
# the app in ~/.local/opt/faxgui, the command ~/.local/bin/faxgui, the menu entry and icons.
# No administrator rights needed. Run it again to upgrade (the old files are replaced, none
# left behind); `./install.sh --uninstall` removes it all again (settings, history and
# drafts stay in ~/.config/faxgui and ~/.local/share/faxgui).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
dest=${FAXGUI_INSTALL_DIR:-$HOME/.local/opt/faxgui}
bin=$HOME/.local/bin

refresh_menus() {
    # Not every desktop has these tools; the menu picks the entry up on its own later.
    update-desktop-database -q "$data/applications" 2>/dev/null || true
    gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

remove_icons() {
    for icon in "$data"/icons/hicolor/*/apps/faxgui.png "$data"/icons/hicolor/scalable/apps/faxgui.svg; do
        [ -e "$icon" ] && rm -f "$icon"
    done
    return 0
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$data/applications/faxgui.desktop"
    remove_icons
    [ -L "$bin/faxgui" ] && rm -f "$bin/faxgui"
    rm -rf "$dest"
    refresh_menus
    echo "faxgui was removed. Your settings and fax history are still in ~/.config/faxgui and $data/faxgui."
    exit 0
fi

if [ ! -x "$here/faxgui" ]; then
    echo "install.sh: run it from the unpacked faxgui folder (faxgui is not beside it)." >&2
    exit 1
fi

if [ "$here" != "$dest" ]; then
    # A fresh copy, then swapped in: an upgrade leaves no file of the old version behind.
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest.new"
    cp -R "$here" "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
fi

mkdir -p "$bin" "$data/applications"
ln -sf "$dest/faxgui" "$bin/faxgui"
sed "s|^Exec=.*|Exec=\"$dest/faxgui\" %F|" "$here/share/applications/faxgui.desktop" \
    > "$data/applications/faxgui.desktop"
remove_icons
mkdir -p "$data/icons/hicolor"
cp -R "$here/share/icons/hicolor/." "$data/icons/hicolor/"
refresh_menus
echo "faxgui is installed: find it in your applications menu, or run $bin/faxgui"
