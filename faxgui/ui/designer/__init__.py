"""The stamp designer and fax preview: pages on screen, stamps placed on them, the fax as it will print."""
