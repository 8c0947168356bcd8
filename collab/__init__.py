"""A Yjs (y-websocket protocol) server library; it never imports forum. Built by a later issue."""
