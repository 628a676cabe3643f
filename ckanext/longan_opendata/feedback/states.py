"""Kinds, states, limits and options of the feedback on datasets (báo lỗi / góp ý)."""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

NEW, IN_PROGRESS, DONE = "new", "in_progress", "done"
#: state → English msgid of its label
STATES: dict[str, str] = {NEW: "New", IN_PROGRESS: "In progress", DONE: "Done"}
#: kind → English msgid of its label
KINDS: dict[str, str] = {"error": "Error in the data", "suggestion": "Suggestion"}
LIMITS: dict[str, int] = {"message": 2000, "answer": 2000}

API = ("longan_feedback_create", "longan_feedback_show", "longan_feedback_list",
       "longan_feedback_update")

RATE_LIMIT_OPTION = "ckanext.longan_opendata.feedback.rate_limit"
RATE_WINDOW_OPTION = "ckanext.longan_opendata.feedback.rate_window"
#: the name of the form's honeypot field (hidden from people; robots fill it)
HONEYPOT = "website"


def state_label(state: str) -> str:
    return tk._(STATES.get(state, state))


def kind_label(kind: str) -> str:
    return tk._(KINDS.get(kind, kind))


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def rate_limit() -> tuple[int, int]:
    """(messages, seconds): how many messages one client may send per window."""
    return (int(tk.config.get(RATE_LIMIT_OPTION) or 5),
            int(tk.config.get(RATE_WINDOW_OPTION) or 3600))
