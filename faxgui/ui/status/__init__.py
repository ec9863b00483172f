"""The sent-faxes status panel: every fax sent from here, its live state, and actions on it."""
