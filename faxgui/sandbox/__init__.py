"""An embedded Monopond-compatible SOAP server, so the app and its tests run fully offline."""
