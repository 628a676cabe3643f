"""WSGI entry point for gunicorn/uwsgi: ``gunicorn ckanext.longan_opendata.wsgi:application``.

The config file comes from ``CKAN_INI`` (default ``ckan.ini`` in the working directory).
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

CONFIG_PATH = os.path.abspath(os.environ.get("CKAN_INI", "ckan.ini"))
fileConfig(CONFIG_PATH, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(CONFIG_PATH).get_config())
