"""Template helpers of the follow pages: CKAN's Atom feeds of what one follows."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.metadata import codelists

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    return {"longan_follow_feed_url": longan_follow_feed_url,
            "longan_follow_label": longan_follow_label,
            "longan_follow_targets": longan_follow_targets}


def longan_follow_targets(kind: str) -> list[str]:
    """What the current user follows of ``kind`` (names, codes or queries); [] if anonymous."""
    user = tk.current_user
    if not user or not user.is_authenticated:
        return []
    return tk.get_action("longan_follow_list")({"user": user.name}, {}).get(kind, [])


def longan_follow_feed_url(kind: str, target: str) -> str:
    """CKAN's Atom feed of a followed thing (``/feeds/…``, in the page's language)."""
    if kind == "organization":
        return tk.url_for("feeds.organization", id=target)
    if kind == "theme":
        return tk.url_for("feeds.custom", vocab_theme=target)
    if kind == "dataset":
        return tk.url_for("feeds.custom", q=f'name:"{target}"')
    return tk.url_for("feeds.custom", q=target)


def longan_follow_label(kind: str, target: str) -> str:
    """A followed thing as people read it (a theme's label, a dataset's title…)."""
    if kind == "theme":
        return codelists.label("themes", target, tk.h.lang())
    if kind == "dataset":
        from ckan import model
        pkg = model.Package.get(target)
        return pkg.title if pkg else target
    if kind == "organization":
        from ckan import model
        group = model.Group.get(target)
        return group.title if group else target
    return target
