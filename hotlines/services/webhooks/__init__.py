"""Webhooks: where a URL may point (`addresses`), how a body is signed (`signing`), what is sent
(`payloads`), how it is posted (`transport`), a delivery's life from made to delivered or failed
(`deliveries`, the only module that changes a delivery's state) and the administrators' changes to
webhooks (`writes`)."""
