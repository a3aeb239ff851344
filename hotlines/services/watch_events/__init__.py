"""The watch engine: after each sync that changed data, what concerns every watch (hotlines that
entered or left a saved view, field changes of hotlines in it, changes of a watched hotline),
written once as notifications with their events, and every saved view's delta; after a failed
sync, the "sync failed" notices. One job per module:

- `changed`: the run's changed hotlines, before and after (only those are read);
- `matching`: a saved view's filter as Python tests that agree with the list's filterset;
- `compute`: events per view and per watch (pure);
- `write`: set-based, exactly-once writes;
- `record`: the succeeded run's computation (the worker's `watch_sync_run`);
- `failed`: the failed run's notices (the worker's `notify_sync_failed`);
- `deliver`: the hand-off to the email and webhook channels.
"""

from .deliver import notifications_deliver
from .failed import sync_failed_notify
from .record import WatchRunResult, watch_events_record

__all__ = ["WatchRunResult", "notifications_deliver", "sync_failed_notify", "watch_events_record"]
