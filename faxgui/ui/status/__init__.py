"""The sent-jobs status panel: every fax sent from this workstation, its live state, and actions on it."""
