"""ckanext-harvest's consumers wait for work on Redis with ``BLPOP``: under redis-py 8 (pinned
by CKAN 2.12) its 5-second default read timeout made an idle consumer exit after about a minute.
The queue's connections must block for as long as the server makes them wait."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk


@pytest.mark.usefixtures("with_plugins")
def test_an_idle_consumer_connection_outlives_the_default_read_timeout():
    from ckanext.harvest import queue

    connection = queue.get_connection_redis()
    assert connection.connection_pool.connection_kwargs["socket_timeout"] is None
    key = f"{tk.config.get('ckan.site_id')}:longan-test-idle-queue"
    connection.delete(key)
    # the server answers "nothing" after 7 s: more than redis-py's 5 s default read timeout
    assert connection.blpop(key, timeout=7) is None
    connection.rpush(key, "harvest-object-id")
    assert connection.blpop(key, timeout=7) == (key, "harvest-object-id")
