"""faxgui's data files (the Monopond v2.1 WSDL, icons, sample documents), read with importlib.resources."""
