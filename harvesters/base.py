"""The stages the ``longan_sql`` and ``longan_api`` harvesters share (:class:`LonganHarvester`).

- one harvest object per table or endpoint, whose fetch and import run once per object whatever
  the queue delivers (:mod:`.claim`), with the source's organisation in scope for its secrets
  (:mod:`.secrets`);
- change detection (a content hash per harvest object), the dataset and its DataStore table,
  withdrawal of datasets whose table is gone (made private with a note, never purged).

What a source's config may say is checked in :mod:`.config`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.lang import Message, in_default, in_language

from . import completeness, datastore_tables, loader
from .claim import Claim, outcome
from .config import DEFAULT_LICENCE, METADATA_FIELDS, ConfigError, slugify
from .search_commit import deferred_commits
from .secrets import owner_scope

log = logging.getLogger(__name__)

#: the heading of the note added to a withdrawn dataset (also how a withdrawn one is recognised)
WITHDRAWN = Message("Withdrawn at source")


def withdrawn_note(date: str) -> Message:
    """The note added to the description of a dataset whose table or endpoint is gone."""
    return Message("**%(heading)s** (%(date)s): the source table or service is gone; the "
                   "dataset was made private, its data is kept.", heading=WITHDRAWN, date=date)



def dataset_private(config: dict[str, Any], source_id: str | None = None) -> bool:
    """Whether a harvested dataset is private (``pending_review``): unless the source asks for
    ``auto_publish`` (default true) AND a reviewer approved these source settings
    (:mod:`.approval`); without ``source_id``, always private."""
    from . import approval as harvest_approval

    return not harvest_approval.auto_publish_in_effect(source_id, config)


# -------------------------------------------------------------------------------- the base class
class LonganHarvester(HarvesterBase):
    """Shared stages of the Long An harvesters (one harvest object per table or endpoint).

    Subclasses implement ``_fetch`` and ``_import``; ``fetch_stage``/``import_stage`` make each
    object's work happen once whatever the queue delivers (see :class:`Claim`)."""

    kind = "longan"

    _claims: dict[str, Claim] = {}  # noqa: RUF012 - per process, keyed by object id
    _replayed: dict[str, dict[str, Any]] = {}  # noqa: RUF012

    def _fetch(self, harvest_object: Any) -> bool | str:
        """Fetch one table or endpoint (not a deletion): True, "unchanged" or False."""
        raise NotImplementedError

    def _import(self, harvest_object: Any) -> bool | str:
        """Import one fetched table or endpoint (not a deletion)."""
        raise NotImplementedError

    def fetch_stage(self, harvest_object: Any) -> bool | str:
        claim = Claim(harvest_object.id)
        earlier = claim.acquire()
        if earlier is not None:
            log.info("%s: already processed by another consumer, outcome reused",
                     harvest_object.id)
            self._replayed[harvest_object.id] = earlier
            return outcome(earlier["fetch"])
        try:
            with owner_scope(harvest_object.harvest_source_id):
                # a deletion is fetched as it is; its import withdraws the dataset
                result = (True if self._status(harvest_object) == "delete"
                          else self._fetch(harvest_object))
        except BaseException:
            claim.finish(False)
            raise
        if result is True:
            self._claims[harvest_object.id] = claim
        else:
            claim.finish(result)
        return result

    def import_stage(self, harvest_object: Any) -> bool | str:
        earlier = self._replayed.pop(harvest_object.id, None)
        if earlier is not None:
            return outcome(earlier["import"])
        claim = self._claims.pop(harvest_object.id, None)
        result: Any = False
        try:
            with owner_scope(harvest_object.harvest_source_id), deferred_commits():
                result = (self._withdraw(harvest_object)
                          if self._status(harvest_object) == "delete"
                          else self._import(harvest_object))
        finally:
            if claim is not None:
                claim.finish(True, result)
        return result

    # ---- gather helpers
    def _gather_config(self, harvest_job: Any) -> dict[str, Any] | None:
        """The source's checked config, or None after saving why it is not valid."""
        try:
            return json.loads(self.check_config(harvest_job.source.config))
        except (ConfigError, ValueError) as exc:
            self._save_gather_error(Message("invalid source config: %(error)s", error=exc),
                                    harvest_job)
            return None

    def check_config(self, config: str | None) -> str:
        """The source config checked alone (no connection), as normalised JSON."""
        raise NotImplementedError

    def _previous_objects(self, source_id: str) -> dict[str, HarvestObject]:
        """The current objects of this source, by guid."""
        rows = (model.Session.query(HarvestObject)
                .filter(HarvestObject.harvest_source_id == source_id)
                .filter(HarvestObject.current == True)  # noqa: E712
                .filter(HarvestObject.package_id != None)  # noqa: E711
                .all())
        return {obj.guid: obj for obj in rows}

    def _gather_objects(self, harvest_job: Any, items: dict[str, dict[str, Any]],
                        keep: set[str] | None = None,
                        extra_content: dict[str, dict[str, Any]] | None = None) -> list[str]:
        """Objects for the tables/endpoints ``items`` (guid → item), and deletions for the rest;
        the guids in ``keep`` are known unchanged and get no object; ``extra_content`` (by guid)
        is added to an object's content (what the gather stage already knows)."""
        previous = self._previous_objects(harvest_job.source.id)
        objects: list[HarvestObject] = []
        for guid, item in items.items():
            if keep and guid in keep:
                continue
            content = {**(extra_content or {}).get(guid, {}), "item": item}
            obj = HarvestObject(guid=guid, job=harvest_job,
                                content=json.dumps(content, ensure_ascii=False),
                                extras=[HarvestObjectExtra(key="status", value="change")])
            if guid in previous:
                obj.package_id = previous[guid].package_id
            else:  # back after a withdrawal: the same dataset
                obj.package_id = self._withdrawn_package(harvest_job.source.id, guid)
            objects.append(obj)
        for guid, old in previous.items():
            if guid in items:
                continue
            obj = HarvestObject(guid=guid, job=harvest_job, package_id=old.package_id,
                                content=old.content,
                                extras=[HarvestObjectExtra(key="status", value="delete")])
            objects.append(obj)
        # one transaction for the job's objects (a commit per object kept the fetch consumers
        # waiting: nothing is queued before the gather stage returns), all or none of them
        model.Session.add_all(objects)
        model.Session.flush()
        ids = [obj.id for obj in objects]
        model.Session.commit()
        return ids

    @staticmethod
    def _last_with_package(source_id: str, guid: str,
                           exclude: str | None = None) -> HarvestObject | None:
        """The latest object of ``guid`` that had a dataset, current or not (a withdrawn table's
        objects are no longer current)."""
        query = (model.Session.query(HarvestObject)
                 .filter(HarvestObject.harvest_source_id == source_id)
                 .filter(HarvestObject.guid == guid)
                 .filter(HarvestObject.package_id != None))  # noqa: E711
        if exclude:
            query = query.filter(HarvestObject.id != exclude)
        return query.order_by(HarvestObject.gathered.desc()).first()

    def _withdrawn_package(self, source_id: str, guid: str) -> str | None:
        """The dataset of a table/endpoint withdrawn earlier, if it still exists."""
        last = self._last_with_package(source_id, guid)
        if last is None:
            return None
        package = model.Package.get(last.package_id)
        if package is None or package.state != "active":
            return None
        log.info("%s: back at the source, dataset %s reused", guid, package.name)
        return package.id

    @staticmethod
    def _status(obj: HarvestObject) -> str:
        for extra in obj.extras:
            if extra.key == "status":
                return extra.value
        return "change"

    @staticmethod
    def _previous_content(obj: HarvestObject) -> dict[str, Any] | None:
        previous = (model.Session.query(HarvestObject)
                    .filter(HarvestObject.guid == obj.guid)
                    .filter(HarvestObject.harvest_source_id == obj.harvest_source_id)
                    .filter(HarvestObject.current == True)  # noqa: E712
                    .filter(HarvestObject.id != obj.id)
                    .first())
        withdrawn = False
        if previous is None and obj.package_id:  # back after a withdrawal
            previous = LonganHarvester._last_with_package(obj.harvest_source_id, obj.guid,
                                                          exclude=obj.id)
            withdrawn = previous is not None and previous.package_id == obj.package_id
            if not withdrawn:
                previous = None
        if previous is None or not previous.content:
            return None
        content = json.loads(previous.content)
        content["package_id"] = previous.package_id
        if withdrawn:
            content["withdrawn"] = True
            content.pop("hash", None)  # never "unchanged": the dataset must come back
        return content

    @staticmethod
    def content_hash(item: dict[str, Any], columns: list[loader.Column], data_sha: str) -> str:
        canonical = json.dumps({"item": item, "columns": [[c.id, c.type] for c in columns],
                                "data": data_sha}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _unchanged(self, obj: HarvestObject, new_hash: str) -> bool:
        previous = self._previous_content(obj)
        if previous and previous.get("hash") == new_hash and previous.get("package_id"):
            pkg = model.Package.get(previous["package_id"])
            return pkg is not None and pkg.state == "active" and not self._awaits_publication(
                obj.harvest_source_id, pkg.id)
        return False

    @staticmethod
    def _awaits_publication(source_id: str | None, package_id: str | None) -> bool:
        """Harvested into review before the source's auto_publish was approved: not unchanged."""
        from ckanext.longan_opendata.harvesters import approval as harvest_approval

        return harvest_approval.awaits_publication(source_id, package_id)

    # ---- import helpers
    @staticmethod
    def _stored_columns(content: dict[str, Any]) -> list[loader.Column]:
        """The columns the fetch stage saved in an object's content."""
        return [loader.Column(c, t, c) for c, t in content["columns"]]

    def _import_failed(self, obj: HarvestObject, where: str, exc: Exception) -> bool:
        """An unexpected failure of the import of ``where``: logged, and saved on the object.

        The session is rolled back first: a ``package_create`` whose indexing failed (Solr down)
        leaves its rows pending in the session, and saving the error would commit them, a
        dataset in the database that search cannot find."""
        log.exception("import of %s failed", where)
        model.Session.rollback()
        # a metadata error names its fields (e.g. an unknown series in ``in_series``)
        detail = exc.error_dict if isinstance(exc, tk.ValidationError) else repr(exc)
        return self._error(obj, "Import", Message("%(where)s: import failed: %(error)s",
                                                  where=where, error=detail))

    def _context(self) -> dict[str, Any]:
        return {"user": self._get_user_name(), "ignore_auth": True}

    def _source_org(self, obj: HarvestObject) -> str | None:
        source = model.Package.get(obj.harvest_source_id)
        return source.owner_org if source else None

    def _dataset_dict(self, config: dict[str, Any], item: dict[str, Any], fallback_title: str,
                      description: Message | str) -> dict[str, Any]:
        meta = dict(config.get("defaults") or {})
        meta.update({k: v for k, v in item.items() if k in METADATA_FIELDS})
        meta.setdefault("title", fallback_title)
        meta.setdefault("notes", in_default(description))
        meta.setdefault("notes_en", in_language(description, "en"))
        meta.setdefault("license_id", DEFAULT_LICENCE)
        meta.setdefault("contains_personal_data", "no")
        return meta

    def _unique_name(self, wanted: str, package_id: str | None) -> str:
        name, n = wanted[:95], 1
        while True:
            existing = model.Package.get(name)
            if existing is None or existing.id == package_id:
                return name
            n += 1
            name = f"{wanted[:90]}-{n}"

    def _save_dataset(self, obj: HarvestObject, config: dict[str, Any], meta: dict[str, Any],
                      resource: dict[str, Any], package_id: str | None) -> dict[str, Any]:
        """Create or update the dataset of ``obj`` with its single DataStore resource."""
        # the publish workflow decides visibility: published or pending_review
        context = {**self._context(),
                   **workflow.harvest_context(not dataset_private(config, obj.harvest_source_id))}
        data = dict(meta)
        data["owner_org"] = self._source_org(obj)
        existing = None
        if package_id:
            try:
                existing = tk.get_action("package_show")(dict(context), {"id": package_id})
            except tk.ObjectNotFound:
                existing = None
        if existing:
            data["id"] = existing["id"]
            data["name"] = existing["name"] if "name" not in meta else self._unique_name(
                meta["name"], existing["id"])
            kept = [r for r in existing.get("resources", []) if r["id"] != resource["id"]]
            old = next((r for r in existing.get("resources", []) if r["id"] == resource["id"]), {})
            data["resources"] = [{**old, **resource}] + kept
            action = "package_update"
        else:
            data["name"] = self._unique_name(meta.get("name") or slugify(meta["title"]), None)
            data["resources"] = [resource]
            action = "package_create"
        data = completeness.mark(data)  # the review fields it lacks, for all to see
        # the object is current before the dataset is written, as in ckanext-harvest's own
        # harvesters: its index hook then finds it and indexes harvest_source_id with the
        # dataset, by which the source's Clear (harvest_source_clear) drops the dataset from
        # search (bench/bench_load.py found them left behind). A new dataset gets its id here;
        # the object's foreign key to it is checked at the commit. A failed write rolls all back.
        data.setdefault("id", str(uuid.uuid4()))
        self._retire_objects_of(obj)
        obj.package_id = data["id"]
        obj.current = True
        model.Session.add(obj)
        model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
        model.Session.flush()
        dataset = tk.get_action(action)(dict(context), data)
        obj.save()
        return dataset

    def _import_rows(self, obj: HarvestObject, config: dict[str, Any], item: dict[str, Any],
                     columns: list[loader.Column], feed: Any, content: dict[str, Any],
                     fallback_title: str, description: Message | str,
                     numbered: bool = False) -> bool:
        """Load the rows into (the new version of) the DataStore table, then save the dataset
        (``numbered``: the stream gives each row's ``_id``, see :func:`.loader.load`)."""
        previous = self._previous_content(obj) or {}
        package_id = obj.package_id or previous.get("package_id")
        resource_id = previous.get("resource_id") if package_id else None
        new_table = resource_id is None
        resource_id = resource_id or str(uuid.uuid4())
        comments = {c.id: {"label": c.label or c.id} for c in columns}
        rows = loader.load(resource_id, columns, feed, comments, numbered)
        version = int(previous.get("table_version") or 0)
        old_columns = [tuple(c) for c in previous.get("columns") or []]
        new_columns = [(c.id, c.type) for c in columns]
        resource_notes = previous.get("resource_notes") or ""
        if not new_table and old_columns != new_columns:
            version += 1
            added = [c for c, _t in new_columns if c not in dict(old_columns)]
            removed = [c for c, _t in old_columns if c not in dict(new_columns)]
            before = dict(old_columns)
            retyped = [c for c, t in new_columns if c in before and before[c] != t]
            note = in_default(Message(
                "Table version %(version)s (%(date)s): the source columns changed — added "
                "%(added)s, removed %(removed)s, retyped %(retyped)s", version=version + 1,
                date=dt.date.today().isoformat(), added=added or "∅", removed=removed or "∅",
                retyped=retyped or "∅"))
            resource_notes = (resource_notes + "\n\n" + note).strip()
            log.info("%s: %s", obj.guid, note)
        meta = completeness.complete(self._dataset_dict(config, item, fallback_title, description),
                                     self._source_org(obj), content.get("temporal"))
        resource = {
            "id": resource_id, "name": meta.get("title"), "format": "CSV", "url_type": "datastore",
            "url": "_datastore_only_resource", "datastore_active": True,
            "description": (in_default(description)
                            + ("\n\n" + resource_notes if resource_notes else "")),
            "longan_table_version": version + 1, "longan_rows": rows,
        }
        try:
            dataset = self._save_dataset(obj, config, meta, resource, package_id)
        except Exception:
            if new_table:
                datastore_tables.drop_table(resource_id)
            raise
        content.update({"resource_id": resource_id, "table_version": version,
                        "columns": [list(c) for c in new_columns], "rows": rows,
                        "resource_notes": resource_notes})
        obj.content = json.dumps(content, ensure_ascii=False)
        obj.package_id = dataset["id"]
        obj.save()  # the row count is cached by the load itself (loader._record_count)
        return True

    def _withdraw(self, obj: HarvestObject) -> bool | str:
        """The table/endpoint is gone: make the dataset private with a note; never purge it."""
        if not obj.package_id:
            return "unchanged"
        context = self._context()
        try:
            dataset = tk.get_action("package_show")(dict(context), {"id": obj.package_id})
        except tk.ObjectNotFound:
            return "unchanged"
        marker = in_default(WITHDRAWN)
        notes = dataset.get("notes") or ""
        if dataset.get("private") and marker in notes:
            return "unchanged"
        if marker not in notes:
            notes += "\n\n> " + in_default(withdrawn_note(dt.date.today().isoformat()))
        context = {**context, workflow.CONTEXT_KEY: workflow.WITHDRAWN,
                   workflow.CONTEXT_COMMENT_KEY: in_default(Message("gone at source"))}
        tk.get_action("package_patch")(dict(context), {"id": dataset["id"], "notes": notes})
        self._retire_objects_of(obj)
        obj.current = False
        obj.save()
        return True

    @staticmethod
    def _retire_objects_of(obj: HarvestObject) -> None:
        """No object of ``obj``'s table/endpoint is current any more (``obj`` may become it)."""
        model.Session.query(HarvestObject).filter(
            HarvestObject.guid == obj.guid,
            HarvestObject.harvest_source_id == obj.harvest_source_id,
        ).update({"current": False})

    def _error(self, obj: HarvestObject, stage: str, message: Message | Exception | str,
               line: int | None = None) -> bool:
        """Save ``message`` on ``obj`` (in the site default language, see :mod:`.config`)."""
        self._save_object_error(in_default(message), obj, stage, line)
        return False

    def _save_gather_error(self, message: Any, job: Any) -> None:
        """ckanext-harvest's, with ``message`` in the site default language (see :mod:`.config`)."""
        super()._save_gather_error(in_default(message), job)
