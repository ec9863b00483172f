"""faxgui: a desktop fax composer for office front desks, sending through Monopond Fax API v2.1."""

__version__ = "0.1.0"
