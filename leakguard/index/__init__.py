"""The on-disk index: which files to read, how to fingerprint them, how the result is stored."""
