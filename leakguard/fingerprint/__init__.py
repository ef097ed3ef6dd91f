"""Fingerprints of token streams: k-gram hashes, winnowing and MinHash signatures."""
