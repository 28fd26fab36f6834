"""The zone-plan pages under /plan/: the versions, the editor (a viewer for other roles) and the
comparison of two versions. The map work happens in plans/static/plans/editor.js through the
API in plans/api.py; these views only render and carry out the version actions."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layers import audit
from layers.models import Industry, PlanVersion
from layers.partition import PartitionError
from layers.regions import county_of

from . import compare, edits, page_maps
from .api import plans_in_reach

VIEW = "layers.view_zone"


@permission_required(VIEW, raise_exception=True)
def index(request):
    """The versions: the one in force, drafts (planners, or on purpose), the archive."""
    plans = PlanVersion.objects.of_county(county_of(request)).select_related("created_by", "based_on")
    show_drafts = request.user.has_perm("layers.change_zone") or request.GET.get("drafts")
    return render(request, "plans/index.html", {
        "in_force": plans.filter(status=PlanVersion.Status.APPROVED).first(),
        "drafts": plans.exclude(status__in=[PlanVersion.Status.APPROVED, PlanVersion.Status.ARCHIVED])
        if show_drafts else None,
        "archived": plans.filter(status=PlanVersion.Status.ARCHIVED),
        "all_versions": plans if show_drafts else plans.published(),
    })


@require_POST
@permission_required("layers.add_planversion", raise_exception=True)
def new_draft(request):
    name = request.POST.get("name", "").strip()[:100]
    plans = PlanVersion.objects.of_county(county_of(request))
    source = plans.filter(pk=request.POST.get("from") or 0).first() or plans.approved().first()
    if not name or source is None:
        messages.error(request, _("Give the draft a name; a draft starts from an existing version."))
        return redirect("plans:index")
    draft = edits.create_draft(source, name, request.user)
    messages.success(request, _("Draft “%(name)s” created from “%(source)s”.")
                     % {"name": draft.name, "source": source.name})
    return redirect("plans:editor", pk=draft.pk)


@permission_required(VIEW, raise_exception=True)
def editor(request, pk):
    """A version on the map; on a draft, planners draw, pick villages, preview and save."""
    plan = get_object_or_404(plans_in_reach(request).select_related("created_by", "based_on"), pk=pk)
    can_edit = plan.editable and request.user.has_perm("layers.change_zone")
    figures = compare.figures(plan).values()
    return render(request, "plans/editor.html", {
        "plan": plan, "can_edit": can_edit,
        "can_submit": request.user.has_perm("layers.change_planversion"),
        "can_approve": request.user.has_perm("layers.approve_planversion"),
        "figures": figures, "industry_kinds": Industry.Kind.choices,
        "frame": page_maps.editor_map(plan, figures, can_edit, get_token(request)),
    })


@require_POST
@permission_required("layers.change_planversion", raise_exception=True)
def transition(request, pk, action):
    """Submit, withdraw or approve, then back to the version's page with what happened."""
    if action == "approve" and not request.user.has_perm("layers.approve_planversion"):
        raise PermissionDenied
    plan = get_object_or_404(plans_in_reach(request), pk=pk)
    try:
        plan = edits.move(plan, action)
    except (edits.NotEditable, PartitionError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("“%(plan)s” is now %(status)s.")
                         % {"plan": plan.name, "status": plan.get_status_display()})
    return redirect("plans:editor", pk=pk)


@require_POST
@permission_required("layers.delete_planversion", raise_exception=True)
def discard(request, pk):
    plan = get_object_or_404(plans_in_reach(request), pk=pk)
    try:
        edits.discard(plan)
    except edits.NotEditable as problem:
        messages.error(request, str(problem))
        return redirect("plans:editor", pk=pk)
    messages.success(request, _("Draft “%(plan)s” deleted.") % {"plan": plan.name})
    return redirect("plans:index")


@permission_required(VIEW, raise_exception=True)
def compare_page(request):
    """Two versions side by side (?a=&b=): figures per zone and a map of the land that moved."""
    plans = PlanVersion.objects.of_county(county_of(request))
    if not request.user.has_perm("layers.change_zone"):
        plans = plans.published() | plans.filter(pk__in=[request.GET.get("a") or 0,
                                                         request.GET.get("b") or 0])
    context = {"plans": plans}
    try:
        first, second = (int(request.GET[k]) for k in ("a", "b"))
    except (KeyError, ValueError):
        return render(request, "plans/compare.html", context)
    result = compare.compare(get_object_or_404(plans, pk=first), get_object_or_404(plans, pk=second))
    frame = page_maps.compare_map(result)
    return render(request, "plans/compare.html", {**context, "result": result, "frame": frame})


@permission_required(VIEW, raise_exception=True)
def audit_log(request):
    """Who changed which plan object and when (?user=&model=&since=YYYY-MM-DD), newest first."""
    user, model, since = (request.GET.get(k, "").strip() for k in ("user", "model", "since"))
    problem = None
    if any("\x00" in value for value in (user, model, since)):
        user = model = since = ""
        problem = _("parameters must not contain the NUL character")
    try:
        day = parse_date(since) if since else None
        if since and day is None:
            raise ValueError
    except ValueError:
        problem, day = _("“%(since)s” is not a date: write it as 2020-06-30.") % {"since": since}, None
    if model and model not in audit.AUDITED:
        problem, model = _("No such kind of object: %(model)s.") % {"model": model}, ""
    return render(request, "plans/audit.html", {
        "changes": [] if problem else audit.changes(county_of(request), user=user, model=model,
                                                    since=day, limit=200),
        "kinds": [(name, m._meta.verbose_name) for name, m in audit.AUDITED.items()],
        "filters": {"user": user, "model": model, "since": since}, "problem": problem,
    }, status=400 if problem else 200)
