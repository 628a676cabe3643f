"""ckanext-scheming schemas and code lists (shipped as ``ckanext.longan_opendata.schemas``)."""
