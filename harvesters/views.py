"""The approval of a harvest source's ``auto_publish`` from its page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.security import csrf

harvest = Blueprint("longan_harvest", __name__)
harvest.before_request(csrf.protect)  # CKAN's CSRF exemptions stick; check it ourselves


@harvest.route("/harvest/<id>/tu-dong-cong-bo", methods=["POST"])
def approve_auto_publish(id: str) -> Any:
    """POST (with the CSRF token): approve the source's ``auto_publish``, back to its page."""
    try:
        tk.get_action("longan_harvest_source_approve_auto_publish")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Harvest source not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Unauthorized"))
    except tk.ValidationError as error:
        tk.h.flash_error("; ".join(str(m) for msgs in error.error_dict.values() for m in msgs))
    else:
        tk.h.flash_success(tk._("Automatic publication approved for the current settings of "
                                "this source"))
    return tk.redirect_to("harvest.read", id=id)
