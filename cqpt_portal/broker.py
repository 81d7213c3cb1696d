"""Handing a task to the broker from a request without ever holding the request for long.

For work that something else catches up on when the broker is away (the outbox
sweep for e-mails): the caller's committed rows are the promise, the message
is only a hint.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

# Broker URL -> time.monotonic() until which this process does not try to publish to it.
_paused_until: dict[str, float] = {}


def publish_bounded(task, *args) -> bool:
    """Queue `task(*args)`, waiting at most OUTBOX_PUBLISH_TIMEOUT seconds; return whether the broker took it.

    Side effect: one message to the broker (in eager mode the task runs now). The
    publish runs in a short-lived thread so that nothing the Redis client does (a
    paused server, its own retries on a refused connection) holds the caller
    longer; after a failure this process skips that broker for
    OUTBOX_PUBLISH_PAUSE_SECONDS, so that a request notifying many people pays
    the timeout once.
    """
    from cqpt_portal.celery import app

    if app.conf.task_always_eager:
        task.delay(*args)
        return True
    url = app.conf.broker_write_url
    if time.monotonic() < _paused_until.get(url, 0):
        return False
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT
    outcome: list[BaseException | None] = []

    def publish():
        try:
            with app.connection_for_write(
                url,
                connect_timeout=timeout,
                transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
            ) as connection:
                task.apply_async(args, connection=connection, retry=False)
        except Exception as exc:  # noqa: BLE001 - reported to the caller below
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=publish, name=f"publish-{task.name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if outcome == [None]:
        return True
    _paused_until[url] = time.monotonic() + settings.OUTBOX_PUBLISH_PAUSE_SECONDS
    reason = outcome[0] if outcome else f"no answer within {timeout} s"
    logger.warning("Broker unavailable (%s); %s%s not queued", reason, task.name, args)
    return False
