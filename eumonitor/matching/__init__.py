"""MATCH: TF-IDF scoring of calls against the theme profiles, kept incrementally in the archive."""
