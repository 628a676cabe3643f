"""The publish workflow: draft → pending review → published (or approved until a publish date),
rejected, withdrawn. One module per job:

- :mod:`.states` states, transitions, the trusted-context keys (what other packages use);
- :mod:`.roles` who may perform which transition; :mod:`.visibility` permission labels and the
  workflow fields of ``package_show`` and the index; :mod:`.history` the audit trail;
- :mod:`.action` and :mod:`.auth` the API; :mod:`.guards` the checks chained around CKAN's own
  dataset actions; :mod:`.views` the pages; :mod:`.helpers` the template helpers; :mod:`.mail`
  the e-mails; :mod:`.cli` ``ckan longan publish-due``.

Other packages (harvesters, demo) import the workflow only through this module.
"""
from __future__ import annotations

from typing import Any

from .history import (
    changes_since_published,
    forget_history,
    hide_past_activities,
    history,
    last_published_version,
    last_submitter_id,
    last_transition,
    record_transition,
    user_labels_for,
)
from .roles import (
    allowed_transitions,
    is_reviewer,
    is_steward,
    may_approve_own,
    role_in_agency,
    steward_agencies,
)
from .states import (
    ACTIVITY_TYPE,
    APPROVED,
    CONTEXT_COMMENT_KEY,
    CONTEXT_KEY,
    DRAFT,
    PENDING,
    PUBLISHED,
    REJECTED,
    RETURN_TO_DRAFT_ON_EDIT,
    REVIEWER_TRANSITIONS,
    SELF_APPROVAL_OPTION,
    STATES,
    TRANSITIONS,
    WITHDRAWN,
    get_package,
    harvest_context,
    is_public_state,
    state_for_harvested,
    state_of_dict,
    state_of_package,
    today,
)
from .visibility import (
    WorkflowPermissionLabels,
    after_dataset_search,
    after_dataset_show,
    before_dataset_index,
    history_left_out,
)

__all__ = [
    "ACTIVITY_TYPE", "APPROVED", "CONTEXT_COMMENT_KEY", "CONTEXT_KEY", "DRAFT", "PENDING",
    "PUBLISHED", "REJECTED", "RETURN_TO_DRAFT_ON_EDIT", "REVIEWER_TRANSITIONS",
    "SELF_APPROVAL_OPTION", "STATES", "TRANSITIONS", "WITHDRAWN", "WorkflowPermissionLabels",
    "after_dataset_search", "after_dataset_show", "after_dataset_write", "allowed_transitions",
    "before_dataset_index",
    "changes_since_published", "get_actions", "get_auth_functions", "get_blueprints",
    "get_helpers", "get_package", "get_signal_subscriptions", "get_validators",
    "forget_history", "harvest_context", "hide_past_activities", "history", "history_left_out",
    "is_public_state", "is_reviewer", "is_steward", "last_published_version",
    "last_submitter_id", "last_transition",
    "may_approve_own", "missing_review_fields", "record_transition", "role_in_agency",
    "state_for_harvested", "state_of_dict", "state_of_package", "steward_agencies", "today",
    "user_labels_for",
]


def missing_review_fields(pkg_dict: dict[str, Any]) -> list[str]:
    """The fields the workflow requires before submission that ``pkg_dict`` lacks (sorted
    names; empty when it may be submitted): the review check of
    :func:`ckanext.longan_opendata.metadata.review.missing_review_fields`, for harvesters and the
    quality report."""
    from ckanext.longan_opendata.metadata import review

    return review.missing_review_fields(pkg_dict)


def after_dataset_write(context: Any, pkg_dict: dict[str, Any]) -> None:
    """``after_dataset_create``/``after_dataset_update``: the transition the workflow's guard
    put in the context, recorded in CKAN's transaction (:mod:`.guards`)."""
    from . import guards
    guards.record_pending_transition(context, pkg_dict)


def get_actions() -> dict[str, Any]:
    from ckanext.longan_opendata.registry import merged

    from . import action, guards
    return merged(module.get_actions() for module in (action, guards))


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_validators() -> dict[str, Any]:
    from . import action
    return action.get_validators()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return views.get_blueprints()


def get_signal_subscriptions() -> Any:
    from . import mail
    return mail.get_subscriptions()
