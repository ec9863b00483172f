"""The stamp designer and the fax preview: pages on screen, stamps on them, the fax as printed."""
