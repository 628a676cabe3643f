"""The e-mail language form's POST (on the user's edit page, ``user/edit.html``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.security import csrf

preferences = Blueprint("longan_preferences", __name__)
preferences.before_request(csrf.protect)  # CKAN's CSRF exemptions stick; check it ourselves


@preferences.route("/user/<id>/ngon-ngu-thu", methods=["POST"])
def mail_language(id: str) -> Any:
    """POST ``locale`` (with the CSRF token): the language of the user's e-mails."""
    try:
        tk.get_action("longan_user_language_set")(
            {}, {"id": id, "locale": tk.request.form.get("locale", "")})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("User not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Unauthorized"))
    except tk.ValidationError as error:
        tk.h.flash_error("; ".join(str(m) for msgs in error.error_dict.values() for m in msgs))
    else:
        tk.h.flash_success(tk._("The language of your e-mails was saved"))
    return tk.redirect_to("user.edit", id=id)
