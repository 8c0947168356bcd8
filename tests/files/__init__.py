"""Files for the file tests, made in code: accepted kinds and one per rejection path."""
