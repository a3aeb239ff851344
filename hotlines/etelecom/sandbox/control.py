"""`POST /_sandbox/control`: what tests running the sandbox in another process tell it to do."""

from __future__ import annotations

from typing import Any

from .dataset import Dataset, Items
from .faults import Faults
from .network import Network


def apply(command: dict[str, Any], *, dataset: Dataset, faults: Faults, network: Network | None = None) -> None:
    """Carry out one control command (several keys are carried out in this order).

    Faults: {"clear_faults": true}, {"fault": {"kind": ..., "list": "tenants", ...}}.
    Hotlines: {"patch": {"id": ..., field: value}}, {"remove": id}, {"restore": id}, {"add": {...}}.
    Tenants: {"tenant_patch": {...}}, {"tenant_remove": id}, {"tenant_restore": id}, {"tenant_add": {...}}.
    Both: {"reset": {"size": .., "seed": .., "tenants": ..}} (each optional).
    The network: {"network": {"latency_ms": 80, "bandwidth_kbps": 2000, "max_limit": 500}} (each
    optional; {"network": {}} or {"reset_network": true} back to loopback and 1,000 a page).
    Raises ValueError, TypeError or KeyError on a command it cannot carry out.
    """
    if not isinstance(command, dict):
        raise TypeError("a command is a JSON object")
    if command.get("clear_faults"):  # first: {"clear_faults": true, "fault": ...} swaps one for another
        faults.clear()
    if "fault" in command:
        faults.add(**command["fault"])
    if network is not None and command.get("reset_network"):
        network.reset()
    if network is not None and "network" in command:
        switches = command["network"]
        if not isinstance(switches, dict):
            raise TypeError("network takes an object")
        if switches:
            network.configure(**switches)
        else:
            network.reset()
    for prefix, items in (("", dataset.hotlines), ("tenant_", dataset.tenants)):
        _change(command, prefix, items)
    if "reset" in command:
        dataset.reset(**command["reset"])


def _change(command: dict[str, Any], prefix: str, items: Items) -> None:
    if f"{prefix}patch" in command:
        fields = dict(command[f"{prefix}patch"])
        items.patch(str(fields.pop("id")), **fields)
    if f"{prefix}remove" in command:
        items.remove(str(command[f"{prefix}remove"]))
    if f"{prefix}restore" in command:
        items.restore(str(command[f"{prefix}restore"]))
    if f"{prefix}add" in command:
        added = command[f"{prefix}add"]
        if not isinstance(added, dict):
            raise TypeError(f"{prefix}add takes an object")
        items.add(added)
