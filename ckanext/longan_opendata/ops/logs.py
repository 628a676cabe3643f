"""Logging adjustments.

When Solr is down, CKAN logs the whole chain of connection tracebacks (four of them) at every start
and every search. The message line already says which URL refused the connection, so the
traceback adds nothing but noise, which buries what ``ckan longan doctor`` prints.
"""
from __future__ import annotations

import logging

import requests

SEARCH_LOGGER = "ckan.lib.search.common"


class OneLineConnectionErrors(logging.Filter):
    """Keep the message of a connection error and drop its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and _caused_by_connection_error(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        return True


def _caused_by_connection_error(exc: BaseException | None) -> bool:
    """True if ``exc`` or an exception in its chain is a refused/failed HTTP connection
    (pysolr wraps ``requests.ConnectionError`` in its own ``SolrError``)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, requests.ConnectionError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def install() -> None:
    logger = logging.getLogger(SEARCH_LOGGER)
    if not any(isinstance(f, OneLineConnectionErrors) for f in logger.filters):
        logger.addFilter(OneLineConnectionErrors())
