"""Composing faxes: references, drafts and validation, with no Qt."""
