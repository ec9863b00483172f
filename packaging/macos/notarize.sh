#!/bin/sh
# Notarises a signed faxgui dmg with Apple and staples the ticket to it, so Gatekeeper
# opens it without a warning, even offline.
#
# Usage: packaging/macos/notarize.sh [dist/faxgui-<version>-macos-<arch>.dmg]
# Needs FAXGUI_CODESIGN_IDENTITY (the app and dmg were signed with it) and credentials:
# either APPLE_NOTARY_PROFILE (a keychain profile made with `xcrun notarytool
# store-credentials`), or APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an
# app-specific password). Without them it says what is missing and exits 0: an
# unsigned build is still a build, and the workflow goes on.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
dmg=${1:-}
if [ -z "$dmg" ]; then
    dmg=$(ls "$root"/dist/faxgui-*-macos-*.dmg 2>/dev/null | head -n 1)
fi
if [ -z "$dmg" ] || [ ! -f "$dmg" ]; then
    echo "notarize.sh: no dmg to notarise; run packaging/macos/make_dmg.sh first" >&2
    exit 1
fi

if [ -z "${FAXGUI_CODESIGN_IDENTITY:-}" ]; then
    echo "notarize.sh: skipped: no signing identity (FAXGUI_CODESIGN_IDENTITY), so $dmg is" \
        "not signed and cannot be notarised. Users open it the first time with right-click, Open."
    exit 0
fi
if [ -n "${APPLE_NOTARY_PROFILE:-}" ]; then
    set -- --keychain-profile "$APPLE_NOTARY_PROFILE"
elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    set -- --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD"
else
    echo "notarize.sh: skipped: no notary credentials (APPLE_NOTARY_PROFILE, or APPLE_ID," \
        "APPLE_TEAM_ID and APPLE_APP_PASSWORD). $dmg is signed but not notarised."
    exit 0
fi

result=$(mktemp)
trap 'rm -f "$result"' EXIT
xcrun notarytool submit "$dmg" "$@" --wait --output-format json | tee "$result"
# notarytool exits 0 for a rejected submission too: the status says which it was.
if ! grep -q '"status" *: *"Accepted"' "$result"; then
    id=$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' "$result" | head -n 1)
    echo "notarize.sh: Apple did not accept $dmg; its log:" >&2
    [ -n "$id" ] && xcrun notarytool log "$id" "$@" >&2
    exit 1
fi
xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
spctl --assess --type open --context context:primary-signature --verbose "$dmg"
echo "notarised and stapled: $dmg"
