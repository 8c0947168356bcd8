"""Interoperability tests against real Yjs clients in Node."""
