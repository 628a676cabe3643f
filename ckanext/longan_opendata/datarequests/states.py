"""States, refusal reasons, limits and options of the data requests (đề xuất dữ liệu).

``new`` → ``reviewing`` → ``fulfilled`` (with a public dataset) | ``rejected`` (with a reason
from :data:`REFUSAL_REASONS` and a text); ``new`` may go straight to an answer. An answered
request is closed.
"""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

NEW, REVIEWING, FULFILLED, REJECTED = "new", "reviewing", "fulfilled", "rejected"

#: state → English msgid of its label (Vietnamese through the catalogue)
STATES: dict[str, str] = {
    NEW: "New",
    REVIEWING: "Under review",
    FULFILLED: "Fulfilled",
    REJECTED: "Refused",
}
OPEN_STATES = (NEW, REVIEWING)
#: state → the states an answer may lead to from it
ANSWERS: dict[str, tuple[str, ...]] = {
    NEW: (REVIEWING, FULFILLED, REJECTED),
    REVIEWING: (FULFILLED, REJECTED),
}

#: code → English msgid of a refusal reason
REFUSAL_REASONS: dict[str, str] = {
    "personal_data": "Personal data",
    "state_secret": "State secret",
    "not_held": "Data not held by the agency",
    "other": "Other reason",
}

#: field → longest length accepted
LIMITS: dict[str, int] = {
    "title": 200, "description": 5000, "reason": 2000, "desired_format": 50,
    "answer": 5000, "email": 254,
}

#: the actions; each has the auth function of the same name
API = (
    "longan_datarequest_create", "longan_datarequest_show", "longan_datarequest_list",
    "longan_datarequest_update", "longan_datarequest_answer", "longan_datarequest_support",
    "longan_datarequest_unsupport", "longan_datarequest_delete",
)

ANONYMOUS_OPTION = "ckanext.longan_opendata.datarequests.allow_anonymous"
ANSWER_DAYS_OPTION = "ckanext.longan_opendata.datarequests.answer_days"
#: how long the link that verifies an anonymous requester's e-mail stays valid (seconds)
VERIFY_MAX_AGE = 7 * 24 * 3600
#: anonymous proposals one client may make: (number, per seconds)
ANONYMOUS_RATE = (5, 3600)


def state_label(state: str) -> str:
    return tk._(STATES.get(state, state))


def refusal_label(code: str | None) -> str:
    return tk._(REFUSAL_REASONS[code]) if code in REFUSAL_REASONS else ""


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def today() -> datetime.date:
    return now().date()


def answer_days() -> int:
    return int(tk.config.get(ANSWER_DAYS_OPTION) or 15)


def allow_anonymous() -> bool:
    return tk.asbool(tk.config.get(ANONYMOUS_OPTION))
