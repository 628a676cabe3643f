"""What the ``longan_sql`` and ``longan_api`` harvesters share.

- the dataset metadata of a source (``defaults`` and per-table keys, the field names of the
  portal's dataset schema) and its validation;
- secrets named by a source (an environment variable or a secrets file entry), never stored;
- change detection (a content hash per harvest object), the dataset and its DataStore table,
  withdrawal of datasets whose table is gone (made private with a note, never purged).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.longan_opendata import workflow

from . import loader

log = logging.getLogger(__name__)

THEMES = ("nong-nghiep", "kinh-te", "giao-duc", "nang-luong", "moi-truong", "hanh-chinh", "y-te",
          "doi-ngoai", "tu-phap", "dan-cu-xa-hoi", "khoa-hoc-cong-nghe", "giao-thong")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular",
               "never")
LICENCES = ("vn-open-data-1.0", "CC-BY-4.0", "CC0-1.0", "ODbL-1.0")
DEFAULT_LICENCE = "vn-open-data-1.0"
TEXT_FIELDS = ("title", "title_en", "notes", "notes_en", "tag_string", "source_system",
               "legal_basis", "language", "version", "conforms_to", "data_quality_note", "name")
METADATA_FIELDS = TEXT_FIELDS + ("theme", "spatial_units", "temporal_start", "temporal_end",
                                 "frequency", "contact_points", "license_id",
                                 "contains_personal_data")
_UNIT = re.compile(r"^(old-80|old-\d{3}|old-\d{5}|new-72|new-\d{5})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WITHDRAWN_NOTE = ("\n\n> **Đã rút khỏi nguồn / withdrawn at source** ({date}): bảng hoặc dịch vụ "
                  "nguồn không còn; bộ dữ liệu được chuyển sang riêng tư, dữ liệu được giữ lại.")


class ConfigError(ValueError):
    """A source config problem, with a bilingual message naming the key."""


def err(key: str, vi: str, en: str) -> ConfigError:
    return ConfigError(f"{key}: {vi} / {en}")


def slugify(text: str) -> str:
    """'Dân số theo xã' → 'dan-so-theo-xa' (the portal's slugs)."""
    from ckanext.longan_opendata.metadata.slug import slugify as portal_slugify

    return portal_slugify(text) or "bo-du-lieu"


# ------------------------------------------------------------------------------------- metadata
def validate_metadata(meta: Any, where: str) -> None:
    """Check dataset metadata keys and codes (``where`` names the config key)."""
    if not isinstance(meta, dict):
        raise err(where, "phải là một đối tượng JSON", "must be a JSON object")
    for key, value in meta.items():
        path = f"{where}.{key}"
        if key not in METADATA_FIELDS:
            raise err(path, "không phải trường siêu dữ liệu đã biết", "not a known metadata field")
        if key in TEXT_FIELDS and not isinstance(value, str):
            raise err(path, "phải là chuỗi", "must be a string")
        if key == "theme":
            bad = [t for t in _as_list(value) if t not in THEMES]
            if bad:
                raise err(path, f"mã lĩnh vực không hợp lệ {bad}", f"unknown theme code {bad}")
        if key == "spatial_units":
            bad = [u for u in _as_list(value) if not isinstance(u, str) or not _UNIT.match(u)]
            if bad:
                raise err(path, f"mã đơn vị hành chính không hợp lệ {bad}",
                          f"invalid administrative unit code {bad}")
        if key == "frequency" and value not in FREQUENCIES:
            raise err(path, f"tần suất không hợp lệ '{value}'", f"unknown frequency '{value}'")
        if key == "license_id" and value not in LICENCES:
            raise err(path, f"giấy phép không hợp lệ '{value}'", f"unknown licence '{value}'")
        if key in ("temporal_start", "temporal_end") and (
                not isinstance(value, str) or not _ISO_DATE.match(value)):
                raise err(path, "phải có dạng YYYY-MM-DD", "must be YYYY-MM-DD")
        if key == "contains_personal_data" and value not in ("yes", "no"):
            raise err(path, "phải là 'yes' hoặc 'no'", "must be 'yes' or 'no'")
        if key == "contact_points" and (
                not isinstance(value, list) or not all(isinstance(c, dict) for c in value)):
                raise err(path, "phải là danh sách {name, email, phone}",
                          "must be a list of {name, email, phone}")
        if key == "name" and slugify(value) != value:
            raise err(path, "chỉ gồm chữ thường không dấu, số và '-'",
                      "only lowercase ASCII letters, digits and '-'")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def validate_common(config: dict[str, Any]) -> None:
    if "defaults" in config:
        validate_metadata(config["defaults"], "defaults")
    if "auto_publish" in config and not isinstance(config["auto_publish"], bool):
        raise err("auto_publish", "phải là true hoặc false", "must be true or false")
    for forbidden in ("password", "api_key", "client_secret", "token"):
        if forbidden in config:
            raise err(forbidden, "không được ghi bí mật trong cấu hình nguồn; dùng *_env hoặc "
                      "*_file", "secrets must not be stored in the source config; use *_env or "
                      "*_file")


def check_connection_enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.longan_opendata.harvest.check_connection", True))


def dataset_private(config: dict[str, Any], source_id: str | None = None) -> bool:
    """Whether a harvested dataset is private (``pending_review``): unless the source asks for
    ``auto_publish`` (default true) AND a reviewer approved these source settings
    (:mod:`.approval`); without ``source_id``, always private."""
    from . import approval as harvest_approval

    return not harvest_approval.auto_publish_in_effect(source_id, config)


# -------------------------------------------------------------------------------------- secrets
#: The organisation (its id and name) that owns the source whose config is being validated, set by
#: the portal's ``package_create``/``package_update`` (logic/harvest_auth.py); None elsewhere.
source_owner: ContextVar[frozenset[str] | None] = ContextVar("longan_source_owner", default=None)
BINDINGS_OPTION = "ckanext.longan_opendata.harvest.secret_bindings"


def owner_of(source_id: str) -> frozenset[str]:
    """The id and name of the organisation that owns a harvest source (empty when none)."""
    pkg = model.Package.get(source_id)
    group = model.Group.get(pkg.owner_org) if pkg is not None and pkg.owner_org else None
    return frozenset((group.id, group.name)) if group is not None else frozenset()


@contextmanager
def owner_scope(source_id: str) -> Iterator[frozenset[str]]:
    """:data:`source_owner` set to the organisation of a harvest source while it is worked on."""
    owner = owner_of(source_id)
    token = source_owner.set(owner)
    try:
        yield owner
    finally:
        source_owner.reset(token)


def secret_name(config: dict[str, Any], prefix: str) -> str:
    """How a secret is named in ``secret_bindings``: the variable, or ``file:key``."""
    if config.get(f"{prefix}_env"):
        return str(config[f"{prefix}_env"])
    return f"{config.get(f'{prefix}_file')}:{config.get(f'{prefix}_key')}"


def secret_bindings() -> dict[str, tuple[set[str], set[str]]]:
    """``secret_bindings``: secret name → (hosts, organisations) allowed to use it."""
    raw = tk.config.get(BINDINGS_OPTION) or ""
    lines = raw.replace(";", "\n").splitlines() if isinstance(raw, str) else list(raw)
    found: dict[str, tuple[set[str], set[str]]] = {}
    for line in lines:
        parts = line.split("#", 1)[0].split()
        if len(parts) != 3:
            if parts:
                log.warning("%s: ignored line %r (NAME hosts orgs)", BINDINGS_OPTION, line)
            continue
        name, hosts, orgs = parts
        entry = found.setdefault(name, (set(), set()))
        entry[0].update(h.strip().lower().strip("[]") for h in hosts.split(",") if h.strip())
        entry[1].update(o.strip() for o in orgs.split(",") if o.strip())
    return found


def check_secret_binding(config: dict[str, Any], prefix: str, where: str, host: str | None,
                         owner: frozenset[str] | None) -> None:
    """ConfigError unless the secret named by ``config`` is bound to ``host`` and ``owner``."""
    key = where + (f"{prefix}_env" if config.get(f"{prefix}_env") else f"{prefix}_file")
    name = secret_name(config, prefix)
    hosts, orgs = secret_bindings().get(name, (set(), set()))
    if not owner:
        raise err(key, f"không xác định được tổ chức sở hữu nguồn nên không được dùng bí mật "
                  f"'{name}'", f"the source's owner organisation is unknown, so the secret "
                  f"'{name}' may not be used")
    if (host or "").lower().strip("[]") not in hosts or not owner & orgs:
        raise err(key, f"bí mật '{name}' không được phép dùng với máy chủ '{host}' và tổ chức "
                  f"này (xem {BINDINGS_OPTION})", f"the secret '{name}' is not bound to the host "
                  f"'{host}' and this organisation (see {BINDINGS_OPTION})")


def validate_secret_ref(config: dict[str, Any], prefix: str, where: str = "") -> None:
    """``{prefix}_env`` or ``{prefix}_file`` + ``{prefix}_key``: names only, checked."""
    env_key, file_key, key_key = f"{prefix}_env", f"{prefix}_file", f"{prefix}_key"
    name = where + env_key
    if env_key in config:
        env_prefix = tk.config.get("ckanext.longan_opendata.harvest.secret_env_prefix")
        value = config[env_key]
        if not env_prefix or not isinstance(value, str) or not value.startswith(env_prefix):
            raise err(name, f"tên biến môi trường phải bắt đầu bằng '{env_prefix}'",
                      f"the environment variable name must start with '{env_prefix}'")
    elif file_key in config:
        if not isinstance(config[file_key], str) or not isinstance(config.get(key_key), str):
            raise err(where + file_key, f"cần đường dẫn tệp và khóa '{key_key}'",
                      f"needs a file path and the key '{key_key}'")
        _secrets_file(config[file_key], where + file_key)
    else:
        raise err(name, f"thiếu '{env_key}' hoặc '{file_key}'",
                  f"missing '{env_key}' or '{file_key}'")


def _secrets_file(path: str, where: str) -> Path:
    allowed = tk.config.get("ckanext.longan_opendata.harvest.secrets_dir")
    if not allowed:
        raise err(where, "máy chủ chưa cấu hình thư mục bí mật "
                  "(ckanext.longan_opendata.harvest.secrets_dir)",
                  "the server has no secrets directory configured "
                  "(ckanext.longan_opendata.harvest.secrets_dir)")
    base = Path(allowed).resolve()
    file = (base / path).resolve()
    if base != file and base not in file.parents:
        raise err(where, f"tệp phải nằm trong thư mục bí mật {base}",
                  f"the file must be inside the secrets directory {base}")
    return file


def read_secret(config: dict[str, Any], prefix: str, *, host: str | None,
                owner: frozenset[str] | None, where: str = "") -> str:
    """The secret named by the config, for a connection to ``host`` by a source of the
    organisation ``owner``; ConfigError (bilingual) when it is not bound to both (checked again
    here, whatever was validated: a config edited in the database must not leak a secret) or not
    available."""
    validate_secret_ref(config, prefix, where)
    check_secret_binding(config, prefix, where, host, owner)
    env_key, file_key = f"{prefix}_env", f"{prefix}_file"
    if config.get(env_key):
        value = os.environ.get(config[env_key])
        if not value:
            raise err(env_key, f"biến môi trường {config[env_key]} chưa được đặt",
                      f"environment variable {config[env_key]} is not set")
        return value
    file = _secrets_file(config[file_key], file_key)
    key = config[f"{prefix}_key"]
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise err(file_key, f"không đọc được tệp bí mật ({exc.strerror})",
                  f"cannot read the secrets file ({exc.strerror})") from exc
    for line in lines:
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            return value.strip()
    raise err(f"{prefix}_key", f"không có khóa '{key}' trong tệp bí mật",
              f"no key '{key}' in the secrets file")


def load_config(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"config: không phải JSON hợp lệ ({exc}) / not valid JSON") from exc
    if not isinstance(config, dict):
        raise ConfigError("config: phải là một đối tượng JSON / must be a JSON object")
    return config


# ------------------------------------------------------------------------ one delivery per object
CLAIM_TTL = 60  # seconds a claim lives without its holder's heartbeat
_OUTCOMES = {True: "true", False: "false", "unchanged": "unchanged"}


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


class Claim:
    """An object's fetch and import run once even when the queue delivers it twice.

    ckanext-harvest's ``harvest_jobs_run`` re-sends every WAITING object missing from the Redis
    list (one still being gathered, or popped by a consumer that has not started it yet) and every
    object whose fetch has lasted more than 3 minutes, so with several fetch consumers an object
    can reach two of them. The first delivery claims the object in Redis (``SET NX`` with a
    heartbeat); a second one waits for the first's outcome and reports the same without doing the
    work again. When the holder dies its claim expires and the next delivery does the work.
    """

    def __init__(self, object_id: str):
        self.key = f"{tk.config.get('ckan.site_id')}:longan-harvest-claim:{object_id}"
        self.redis = _redis()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def acquire(self) -> dict[str, Any] | None:
        """None when this delivery holds the claim, else the first delivery's outcome."""
        while True:
            if self.redis.set(self.key, json.dumps({"running": True}), nx=True, ex=CLAIM_TTL):
                self._beat = threading.Thread(target=self._heartbeat, daemon=True,
                                              name="longan-claim")
                self._beat.start()
                return None
            raw = self.redis.get(self.key)
            if raw is not None:
                value = json.loads(raw)
                if value.get("done"):
                    return value
            time.sleep(0.5)

    def _heartbeat(self) -> None:
        while not self._stop.wait(CLAIM_TTL / 3):
            self.redis.expire(self.key, CLAIM_TTL)

    def finish(self, fetch: Any, imported: Any = None) -> None:
        self._stop.set()
        self.redis.set(self.key, json.dumps({"done": True, "fetch": _OUTCOMES.get(fetch, "false"),
                                             "import": _OUTCOMES.get(imported, "false")}),
                       ex=7 * 86400)


def _outcome(text: str) -> bool | str:
    return {"true": True, "unchanged": "unchanged"}.get(text, False)


# -------------------------------------------------------------------------------- the base class
class LonganHarvester(HarvesterBase):
    """Shared stages of the Long An harvesters (one harvest object per table or endpoint).

    Subclasses implement ``_fetch`` and ``_import``; ``fetch_stage``/``import_stage`` make each
    object's work happen once whatever the queue delivers (see :class:`Claim`)."""

    kind = "longan"

    _claims: dict[str, Claim] = {}  # noqa: RUF012 - per process, keyed by object id
    _replayed: dict[str, dict[str, Any]] = {}  # noqa: RUF012

    def _fetch(self, harvest_object: Any) -> bool | str:
        raise NotImplementedError

    def _import(self, harvest_object: Any) -> bool | str:
        raise NotImplementedError

    def fetch_stage(self, harvest_object: Any) -> bool | str:
        claim = Claim(harvest_object.id)
        earlier = claim.acquire()
        if earlier is not None:
            log.info("%s: already processed by another consumer, outcome reused",
                     harvest_object.id)
            self._replayed[harvest_object.id] = earlier
            return _outcome(earlier["fetch"])
        try:
            with owner_scope(harvest_object.harvest_source_id):
                result = self._fetch(harvest_object)
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
            return _outcome(earlier["import"])
        claim = self._claims.pop(harvest_object.id, None)
        result: Any = False
        try:
            with owner_scope(harvest_object.harvest_source_id):
                result = self._import(harvest_object)
        finally:
            if claim is not None:
                claim.finish(True, result)
        return result

    # ---- gather helpers
    def _previous_objects(self, source_id: str) -> dict[str, HarvestObject]:
        """The current objects of this source, by guid."""
        rows = (model.Session.query(HarvestObject)
                .filter(HarvestObject.harvest_source_id == source_id)
                .filter(HarvestObject.current == True)  # noqa: E712
                .filter(HarvestObject.package_id != None)  # noqa: E711
                .all())
        return {obj.guid: obj for obj in rows}

    def _gather_objects(self, harvest_job: Any, items: dict[str, dict[str, Any]],
                        keep: set[str] | None = None) -> list[str]:
        """Objects for the tables/endpoints ``items`` (guid → item), and deletions for the rest;
        the guids in ``keep`` are known unchanged and get no object."""
        previous = self._previous_objects(harvest_job.source.id)
        ids = []
        for guid, item in items.items():
            if keep and guid in keep:
                continue
            obj = HarvestObject(guid=guid, job=harvest_job,
                                content=json.dumps({"item": item}, ensure_ascii=False),
                                extras=[HarvestObjectExtra(key="status", value="change")])
            if guid in previous:
                obj.package_id = previous[guid].package_id
            else:  # back after a withdrawal: the same dataset
                obj.package_id = self._withdrawn_package(harvest_job.source.id, guid)
            obj.save()
            ids.append(obj.id)
        for guid, old in previous.items():
            if guid in items:
                continue
            obj = HarvestObject(guid=guid, job=harvest_job, package_id=old.package_id,
                                content=old.content,
                                extras=[HarvestObjectExtra(key="status", value="delete")])
            obj.save()
            ids.append(obj.id)
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
    def _context(self) -> dict[str, Any]:
        return {"user": self._get_user_name(), "ignore_auth": True}

    def _source_org(self, obj: HarvestObject) -> str | None:
        source = model.Package.get(obj.harvest_source_id)
        return source.owner_org if source else None

    def _dataset_dict(self, config: dict[str, Any], item: dict[str, Any], fallback_title: str,
                      description: str) -> dict[str, Any]:
        meta = dict(config.get("defaults") or {})
        meta.update({k: v for k, v in item.items() if k in METADATA_FIELDS})
        meta.setdefault("title", fallback_title)
        meta.setdefault("notes", description)
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
        dataset = tk.get_action(action)(dict(context), data)
        model.Session.query(HarvestObject).filter(
            HarvestObject.guid == obj.guid,
            HarvestObject.harvest_source_id == obj.harvest_source_id,
        ).update({"current": False})
        obj.package_id = dataset["id"]
        obj.current = True
        obj.save()
        return dataset

    def _import_rows(self, obj: HarvestObject, config: dict[str, Any], item: dict[str, Any],
                     columns: list[loader.Column], feed: Any, content: dict[str, Any],
                     fallback_title: str, description: str) -> bool:
        """Load the rows into (the new version of) the DataStore table, then save the dataset."""
        previous = self._previous_content(obj) or {}
        package_id = obj.package_id or previous.get("package_id")
        resource_id = previous.get("resource_id") if package_id else None
        new_table = resource_id is None
        resource_id = resource_id or str(uuid.uuid4())
        comments = {c.id: {"label": c.label or c.id} for c in columns}
        rows = loader.load(resource_id, columns, feed, comments)
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
            note = (f"Phiên bản bảng {version + 1} ({dt.date.today().isoformat()}): cấu trúc "
                    f"nguồn thay đổi — thêm cột {added or '∅'}, bỏ cột {removed or '∅'}, "
                    f"đổi kiểu {retyped or '∅'} / table version {version + 1}: source columns "
                    f"changed.")
            resource_notes = (resource_notes + "\n\n" + note).strip()
            log.info("%s: %s", obj.guid, note)
        meta = self._dataset_dict(config, item, fallback_title, description)
        resource = {
            "id": resource_id, "name": meta.get("title"), "format": "CSV", "url_type": "datastore",
            "url": "_datastore_only_resource", "datastore_active": True,
            "description": (description + ("\n\n" + resource_notes if resource_notes else "")),
            "longan_table_version": version + 1, "longan_rows": rows,
        }
        try:
            dataset = self._save_dataset(obj, config, meta, resource, package_id)
        except Exception:
            if new_table:
                loader.drop_table(resource_id)
            raise
        content.update({"resource_id": resource_id, "table_version": version,
                        "columns": [list(c) for c in new_columns], "rows": rows,
                        "resource_notes": resource_notes})
        obj.content = json.dumps(content, ensure_ascii=False)
        obj.package_id = dataset["id"]
        obj.save()
        try:
            from ckanext.datastore.backend import DatastoreBackend

            DatastoreBackend.get_active_backend().calculate_record_count(resource_id)
        except Exception:  # the cache is refilled by the next search anyway
            log.warning("could not refresh the row count of %s", resource_id)
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
        marker = "withdrawn at source"
        notes = dataset.get("notes") or ""
        if dataset.get("private") and marker in notes:
            return "unchanged"
        if marker not in notes:
            notes += WITHDRAWN_NOTE.format(date=dt.date.today().isoformat())
        context = {**context, workflow.CONTEXT_KEY: workflow.WITHDRAWN,
                   workflow.CONTEXT_COMMENT_KEY: "Nguồn không còn bảng / gone at source"}
        tk.get_action("package_patch")(dict(context), {"id": dataset["id"], "notes": notes})
        model.Session.query(HarvestObject).filter(
            HarvestObject.guid == obj.guid,
            HarvestObject.harvest_source_id == obj.harvest_source_id,
        ).update({"current": False})
        obj.current = False
        obj.save()
        return True

    def _error(self, obj: HarvestObject, stage: str, message: str, line: int | None = None) -> bool:
        self._save_object_error(message, obj, stage, line)
        return False
