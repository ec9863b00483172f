"""The Monopond Fax API v2.1 client: typed requests and responses, errors, and MonopondClient."""
