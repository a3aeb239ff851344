"""Connections to eTelecom accounts, by job.

- `writes`: add, change, deactivate, create from the settings; the base URL and key rules.
- `probe`: the "Test connection" button, its outcome and the advice shown to a person.
- `client`: the `EtelecomClient` for a connection, as a sync or the test needs it.
"""
