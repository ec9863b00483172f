"""faxgui's data files (the v2.1 WSDL, icons, sample documents), read with importlib.resources."""
