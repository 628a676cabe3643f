"""ckanext-longan_opendata: the open data portal of Long An province (now part of Tây Ninh).

The user's layout keeps ``schemas/``, ``harvesters/`` and ``i18n/`` at the repository root; they
are shipped inside the package (``ckanext.longan_opendata.schemas`` etc.) through
``package_dir`` so that both an editable install and a plain ``pip install .`` find them.
"""
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

PKG = "ckanext.longan_opendata"


class BuildWithCatalogues(build_py):
    """Compile the message catalogues (i18n/*/LC_MESSAGES/*.po → .mo) into the build."""

    def run(self):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in Path(__file__).parent.glob("i18n/*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as po:
                catalog = read_po(po)
            with po_path.with_suffix(".mo").open("wb") as mo:
                write_mo(mo, catalog)
        super().run()


setup(
    packages=[
        PKG,
        *(f"{PKG}.{sub}" for sub in find_packages("ckanext/longan_opendata")),
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
    cmdclass={"build_py": BuildWithCatalogues},
)
