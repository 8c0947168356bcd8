"""Tests of collab, the Yjs server library."""
