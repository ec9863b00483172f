"""Lets `python -m faxgui` start the app exactly like the `faxgui` command."""

import sys

from faxgui.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
