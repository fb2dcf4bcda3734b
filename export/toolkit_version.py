"""The toolkit's version, which exported models record (the toolkit is run from its folder, not installed)."""

TOOLKIT_VERSION = "0.1.0"
