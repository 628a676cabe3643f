"""Message catalogues (shipped as ``ckanext.longan_opendata.i18n``)."""
