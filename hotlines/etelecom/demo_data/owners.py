"""Who owns what in the demo data, so that hotlines and tenants agree without a shared table.

Tenants come in blocks of 11 over 10 owners: the first 10 of a block are each the first (often
only) tenant of a new owner, the 11th is the second tenant of one of those 10, so about one
owner in ten has two tenants. Hotlines pick their owner among the owners with a tenant, skewed
(a few big customers, many small ones), except about 5% whose owner has no tenant at all; and
the hotlines at a regular stride are given to each owner in turn, so in a data set with more
hotlines than owners every tenant's owner has hotlines. All of it O(1) per item.
"""

from __future__ import annotations

import random

OWNER_ID_BASE = 1_100_000_000_000_000_000
NO_TENANT_OWNER_ID_BASE = 1_105_000_000_000_000_000  # far above any owner with a tenant
OWNER_ID_STEP = 7_919_003
HOTLINES_PER_TENANT = 20  # the default ratio: 1,000,000 hotlines, 50,000 tenants
BLOCK_TENANTS, BLOCK_OWNERS = 11, 10
NO_TENANT_SHARE = 0.05  # of hotlines, whose owner has no tenant
NO_TENANT_OWNERS_PER_OWNER = 20  # one owner without a tenant for 20 with one


def default_tenants(hotlines: int) -> int:
    """How many tenants go with `hotlines` when none is asked for: one per 20, at least one."""
    return max(1, hotlines // HOTLINES_PER_TENANT)


def owners_with_tenants(tenants: int) -> int:
    """How many distinct owners `tenants` tenants have."""
    blocks, rest = divmod(tenants, BLOCK_TENANTS)
    return blocks * BLOCK_OWNERS + min(rest, BLOCK_OWNERS)


def owner_counts(tenants: int) -> tuple[int, int]:
    """(owners with a tenant, owners with two), for tests and the bench's notes."""
    return owners_with_tenants(tenants), tenants // BLOCK_TENANTS


def owner_id(owner: int) -> str:
    """The owner_id of owner number `owner` (among the owners with a tenant)."""
    return str(OWNER_ID_BASE + (owner + 1) * OWNER_ID_STEP)


def no_tenant_owner_id(owner: int) -> str:
    """The owner_id of owner number `owner` among those with no tenant."""
    return str(NO_TENANT_OWNER_ID_BASE + (owner + 1) * OWNER_ID_STEP)


def tenant_owner(seed: int, index: int) -> tuple[int, bool]:
    """The owner of tenant `index`, and whether this is that owner's second tenant."""
    block, place = divmod(index, BLOCK_TENANTS)
    if place < BLOCK_OWNERS:
        return block * BLOCK_OWNERS + place, False
    return block * BLOCK_OWNERS + random.Random(seed * 7_368_787 + block).randrange(BLOCK_OWNERS), True


def hotline_owner(rng: random.Random, index: int, *, size: int, tenants: int) -> str:
    """The owner_id of hotline `index` of `size`, with `tenants` tenants (draws from `rng`)."""
    owners = owners_with_tenants(tenants)
    no_tenant_owners = max(1, owners // NO_TENANT_OWNERS_PER_OWNER)
    if owners == 0:
        return no_tenant_owner_id(rng.randrange(no_tenant_owners))
    stride = size // owners
    if stride:
        turn, offset = divmod(index, stride)
        if offset == 0 and turn < owners:
            return owner_id(turn)
    # The hotlines given in turn all have a tenant: the others make up for them, so that the
    # share without a tenant stays NO_TENANT_SHARE of all hotlines.
    given = owners if stride else 0
    share = NO_TENANT_SHARE * size / (size - given) if size > given else 0.0
    if rng.random() < share:
        return no_tenant_owner_id(rng.randrange(no_tenant_owners))
    return owner_id(int(owners * rng.random() ** 2))
