"""Uploads when the disk is full: a clear error and nothing half-written.

CKAN's ``ResourceUpload`` copies an uploaded file to ``<path>~`` and renames it; when the disk
fills up (``ENOSPC``, a quota ``EDQUOT``, a file size limit ``EFBIG``) the ``OSError`` escapes as a
500 and leaves the partial ``~`` file behind. :class:`DiskSafeResourceUpload` (served through
``IUploader``) removes the partial file and raises a ``ValidationError`` on the ``upload`` field,
so ``package_update`` stops before its commit: no resource row without its file.
"""
from __future__ import annotations

import errno
import logging
import os
from contextlib import suppress
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import uploader

__all__ = ["DiskSafeResourceUpload", "resource_uploader", "DISK_FULL"]

log = logging.getLogger(__name__)
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class DiskSafeResourceUpload(uploader.ResourceUpload):
    """CKAN's local resource upload, refusing cleanly when the disk is full."""

    def upload(self, id: str, max_size: int = 10) -> None:  # noqa: A002 - CKAN's signature
        try:
            super().upload(id, max_size)
        except OSError as err:
            if err.errno not in DISK_FULL:
                raise
            with suppress(OSError):
                os.remove(self.get_path(id) + "~")
            log.error("upload of resource %s refused, disk full: %s", id, err)
            raise tk.ValidationError({"upload": [tk._(
                "The server's disk is full: the file was not saved. Try again later or tell "
                "the portal's administrator.")]}) from None


def resource_uploader(data_dict: dict[str, Any]) -> Any:
    """The uploader for ``IUploader.get_resource_uploader``: ours for the local file store, None
    (CKAN decides) when ``ckan.files`` storages are configured."""
    from ckan.lib import files

    try:
        files.get_storage(tk.config["ckan.files.default_storages.resource"])
    except files.exc.UnknownStorageError:
        return DiskSafeResourceUpload(data_dict)
    return None
