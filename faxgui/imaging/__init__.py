"""Fax imaging: documents rendered to 1728-pixel-wide fax pages and written as TIFF."""
