"""The Sent faxes panel: every fax sent from this computer, its live state, actions on it."""
