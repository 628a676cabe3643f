"""503 pages when a service the portal needs is down, instead of 500 tracebacks.

- PostgreSQL unreachable (restarted, failed over, too many connections): any SQLAlchemy
  ``OperationalError``/``InterfaceError`` (or a DBAPI error whose connection was invalidated)
  becomes a 503 with ``Retry-After``; the session is rolled back so the same worker serves the next
  request normally once the database is back (the pool's ``pool_pre_ping`` replaces the dead
  connections), no restart needed.
- Solr unreachable while a dataset is saved: CKAN writes a dataset to the database and to Solr in
  one transaction, so the save is rolled back and CKAN's views turn the ``SearchIndexError`` into
  an ``abort(500)``; that abort becomes a 503 saying that nothing was saved. CKAN's action API
  catches the same errors itself and answers an English 500 ``Search Index Error`` (or
  ``Search Connection Error``): that answer becomes the same 503 (:func:`_api_search_error`).

Pages are in the visitor's language (Vietnamese by default); API calls get CKAN's JSON shape, the
message in the language of the request.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy.exc as sa_exc
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import InternalServerError

__all__ = ["install", "is_database_down", "is_search_down"]

log = logging.getLogger(__name__)
RETRY_AFTER = "30"
#: ``__type`` of the action API's answers when a write could not reach the search index
API_SEARCH_INDEX_ERRORS = frozenset({"Search Index Error", "Search Connection Error"})


def is_database_down(err: BaseException) -> bool:
    if isinstance(err, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return True
    return isinstance(err, sa_exc.DBAPIError) and bool(err.connection_invalidated)


def is_search_down(err: BaseException | None) -> bool:
    import pysolr
    from ckan.lib.search.common import SearchError, SearchIndexError, SolrConnectionError

    return isinstance(err, (SearchIndexError, SearchError, SolrConnectionError, pysolr.SolrError))


def _unavailable(message: str) -> Response:
    from ckan import model

    try:
        model.Session.rollback()
    except sa_exc.SQLAlchemyError:
        model.Session.remove()
    if request.path.startswith("/api/"):
        response = jsonify({"success": False, "error": {
            "__type": "Service Unavailable", "message": message}})
    else:
        response = Response(tk.render("longan/ops/unavailable.html", {"message": message}),
                            content_type="text/html; charset=utf-8")
    response.status_code = 503
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def _database_error(err: Exception) -> Any:
    if not is_database_down(err):
        raise err
    log.error("database unavailable: %s", str(err).splitlines()[0])
    return _unavailable(tk._("The database is not answering. Nothing was changed."))


def _search_error(err: Exception) -> Any:
    log.error("search index unavailable: %r", err)
    return _search_unavailable()


def _search_unavailable() -> Response:
    return _unavailable(tk._("The search service is not answering, so the dataset was not "
                             "saved. Please save it again in a moment."))


def _api_search_error(response: Response) -> Response:
    """The action API's own answer to a search index error (``ckan.views.api`` catches
    ``SearchIndexError`` and ``SolrConnectionError`` before any error handler) becomes the 503
    of the pages; every other answer passes unchanged."""
    if (response.status_code != 500 or not request.path.startswith("/api/")
            or not response.is_json):
        return response
    error = (response.get_json(silent=True) or {}).get("error")
    if not isinstance(error, dict) or error.get("__type") not in API_SEARCH_INDEX_ERRORS:
        return response
    log.error("search index unavailable (API %s): %s", request.path, error.get("message"))
    return _search_unavailable()


def _internal_error(err: InternalServerError) -> Any:
    cause = err.__context__ or getattr(err, "original_exception", None)
    if is_search_down(cause):
        return _search_error(cause)
    if cause is not None and is_database_down(cause):
        return _database_error(cause)
    from ckan.lib import base  # CKAN's own 500 page otherwise
    return base.render("error_document_template.html", {
        "code": err.code, "content": err.description, "name": err.name}), 500


def install(app: Flask) -> None:
    """Register the handlers on CKAN's Flask app (``IMiddleware.make_middleware``)."""
    from ckan.lib.search.common import SearchIndexError, SolrConnectionError

    app.register_error_handler(sa_exc.OperationalError, _database_error)
    app.register_error_handler(sa_exc.InterfaceError, _database_error)
    app.register_error_handler(sa_exc.DBAPIError, _database_error)
    app.register_error_handler(SearchIndexError, _search_error)
    app.register_error_handler(SolrConnectionError, _search_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.after_request(_api_search_error)
