"""Renderers of scan results: text for people (rich), JSON and SARIF for machines."""
