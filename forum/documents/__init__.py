"""Documents written together: reading their CRDT content, rendering and exporting it."""
