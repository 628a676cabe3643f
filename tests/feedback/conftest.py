from tests.datarequests.conftest import request_context, web, world  # noqa: F401 (fixtures)
