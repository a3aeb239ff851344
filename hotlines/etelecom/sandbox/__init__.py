"""A local stand-in for eTelecom's Partner API, for the demo, tests and benchmarks.

It behaves like the documented API: `POST /GetPartnerHotlineList` and `POST
/GetPartnerTenantList` (its `filter` of `name` and `owner_id` honoured) with JSON headers and a
Bearer key, cursor paging (about 100 a page, `limit` to change it, newest first, an empty
`next` on the last page) and `{code, msg}` errors. Data comes from `demo_data`, generated on
demand, so a million hotlines and 50,000 tenants cost no memory. Tests change data and switch
faults on (`list="tenants"` for the tenant list; `refuse_tenants` refuses it to the key), either
in-process (`server.dataset`, `server.dataset.tenants`, `server.faults`) or over HTTP
(`POST /_sandbox/control`, see `control.apply`). A real network is switched on the same ways
(`server.network`, or `{"network": {...}}`): a latency per answer, a bandwidth, and the largest
page served (`network.py`).
"""

from .dataset import Dataset, Items, decode_cursor, encode_cursor
from .faults import FAULT_KINDS, HOSTILE_DEFAULTS, LISTS, Fault, Faults, with_nulls
from .network import Network
from .server import DEFAULT_API_KEY, DEFAULT_LIMIT, MAX_LIMIT, SandboxServer

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_LIMIT",
    "FAULT_KINDS",
    "HOSTILE_DEFAULTS",
    "LISTS",
    "MAX_LIMIT",
    "Dataset",
    "Fault",
    "Faults",
    "Items",
    "Network",
    "SandboxServer",
    "decode_cursor",
    "encode_cursor",
    "with_nulls",
]
