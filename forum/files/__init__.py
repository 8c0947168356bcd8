"""Shared files: content-addressed storage, type sniffing, image processing, streamed uploads."""
