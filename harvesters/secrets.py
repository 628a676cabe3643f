"""Secrets a harvest source names but never holds: a password, API key or OAuth2 client secret
is read from an environment variable (``*_env``, whose name must start with
``ckanext.longan_opendata.harvest.secret_env_prefix``) or from a ``KEY=value`` file inside
``ckanext.longan_opendata.harvest.secrets_dir`` (``*_file`` + ``*_key``).

Naming a secret is not enough to use it: ``ckanext.longan_opendata.harvest.secret_bindings`` binds
each secret to the hosts it may be sent to and the organisations whose sources may use it, and the
binding is checked both when a source is saved and every time the secret is read, so that an
editor of one organisation cannot send another organisation's password to a host of their choice.
:data:`source_owner` carries the organisation of the source being worked on to these checks.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .config import err

log = logging.getLogger(__name__)

#: The organisation (its id and name) that owns the source whose config is being validated, set by
#: the portal's ``package_create``/``package_update`` (:mod:`.admin_auth`); None elsewhere.
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
        raise err(key, "the source's owner organisation is unknown, so the secret "
                  "'%(name)s' may not be used", name=name)
    if (host or "").lower().strip("[]") not in hosts or not owner & orgs:
        raise err(key, "the secret '%(name)s' is not bound to the host '%(host)s' and this "
                  "organisation (see %(option)s)", name=name, host=host, option=BINDINGS_OPTION)


def validate_secret_ref(config: dict[str, Any], prefix: str, where: str = "") -> None:
    """``{prefix}_env`` or ``{prefix}_file`` + ``{prefix}_key``: names only, checked."""
    env_key, file_key, key_key = f"{prefix}_env", f"{prefix}_file", f"{prefix}_key"
    name = where + env_key
    if env_key in config:
        env_prefix = tk.config.get("ckanext.longan_opendata.harvest.secret_env_prefix")
        value = config[env_key]
        if not env_prefix or not isinstance(value, str) or not value.startswith(env_prefix):
            raise err(name, "the environment variable name must start with '%(prefix)s'",
                      prefix=env_prefix)
    elif file_key in config:
        if not isinstance(config[file_key], str) or not isinstance(config.get(key_key), str):
            raise err(where + file_key, "needs a file path and the key '%(key)s'", key=key_key)
        _secrets_file(config[file_key], where + file_key)
    else:
        raise err(name, "missing '%(env)s' or '%(file)s'", env=env_key, file=file_key)


def _secrets_file(path: str, where: str) -> Path:
    allowed = tk.config.get("ckanext.longan_opendata.harvest.secrets_dir")
    if not allowed:
        raise err(where, "the server has no secrets directory configured (%(option)s)",
                  option="ckanext.longan_opendata.harvest.secrets_dir")
    base = Path(allowed).resolve()
    file = (base / path).resolve()
    if base != file and base not in file.parents:
        raise err(where, "the file must be inside the secrets directory %(base)s", base=base)
    return file


def read_secret(config: dict[str, Any], prefix: str, *, host: str | None,
                owner: frozenset[str] | None, where: str = "") -> str:
    """The secret named by the config, for a connection to ``host`` by a source of the
    organisation ``owner``; ConfigError when it is not bound to both (checked again
    here, whatever was validated: a config edited in the database must not leak a secret) or not
    available."""
    validate_secret_ref(config, prefix, where)
    check_secret_binding(config, prefix, where, host, owner)
    env_key, file_key = f"{prefix}_env", f"{prefix}_file"
    if config.get(env_key):
        value = os.environ.get(config[env_key])
        if not value:
            raise err(env_key, "environment variable %(name)s is not set", name=config[env_key])
        return value
    file = _secrets_file(config[file_key], file_key)
    key = config[f"{prefix}_key"]
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise err(file_key, "cannot read the secrets file (%(error)s)",
                  error=exc.strerror) from exc
    for line in lines:
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            return value.strip()
    raise err(f"{prefix}_key", "no key '%(key)s' in the secrets file", key=key)

