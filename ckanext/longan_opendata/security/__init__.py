"""What keeps the portal safe across its concerns: :mod:`.netguard` (no server-side request to an
internal address: harvest sources, xloader), :mod:`.csrf` (the portal's forms check their CSRF
token whatever CKAN exempted), :mod:`.request_checks` (no NUL byte reaches a view or action),
:mod:`.params` (typed API parameters, with Vietnamese errors naming the field)."""
