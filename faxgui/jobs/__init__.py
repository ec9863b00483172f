"""The local job store: what was sent, when, and where each send is (Qt-free)."""
