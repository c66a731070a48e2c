"""Load: bytes to documents with line numbers, catalogs, OSCAL, profiles and the graph."""
