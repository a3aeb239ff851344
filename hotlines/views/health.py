"""Health endpoints for load balancers: no sign-in, no data beyond what a probe needs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..selectors import readiness


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """The process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """Database reachable, migrations applied, last sync age and outcome. 503 when not ready."""
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
