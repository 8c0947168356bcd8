"""Browser tests: Debian's Chromium driven by Playwright (marked `e2e`)."""
