"""The frozen app's entry point: the same `main` as the installed `faxgui` command."""

import sys

from faxgui.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
