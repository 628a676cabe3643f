"""CKAN extension of the Long An open data portal."""
