"""ckanext-longan_opendata: the open data portal of Long An province (now part of Tây Ninh).

The user's layout keeps ``schemas/``, ``harvesters/`` and ``i18n/`` at the repository root; they are
shipped inside the package (``ckanext.longan_opendata.schemas`` etc.) through ``package_dir`` so that
both an editable install and a plain ``pip install .`` find them.
"""
from setuptools import setup

PKG = "ckanext.longan_opendata"

setup(
    packages=[
        PKG,
        f"{PKG}.logic",
        f"{PKG}.harvesters",
        f"{PKG}.schemas",
        f"{PKG}.i18n",
    ],
    package_dir={
        PKG: "ckanext/longan_opendata",
        f"{PKG}.harvesters": "harvesters",
        f"{PKG}.schemas": "schemas",
        f"{PKG}.i18n": "i18n",
    },
    package_data={
        PKG: [
            "config_declaration.yaml",
            "templates/**/*",
            "public/**/*",
            "assets/**/*",
            "migration/**/*",
        ],
        f"{PKG}.schemas": ["*.yaml", "*.json", "*.csv"],
        f"{PKG}.i18n": ["*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    include_package_data=False,
)
