"""The zone-plan pages under /plan/: the versions, the editor (a viewer for other roles) and the
comparison of two versions. The map work happens in plans/static/plans/editor.js through the
API in plans/api.py; these views only render and carry out the version actions."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layers import audit
from layers.models import County, Industry, PlanVersion
from layers.partition import PartitionError
from maps.frame import Overlay, map_frame, section

from . import compare, edits

VIEW = "layers.view_zone"


@permission_required(VIEW, raise_exception=True)
def index(request):
    """The versions: the one in force, drafts (planners, or on purpose), the archive."""
    plans = PlanVersion.objects.select_related("created_by", "based_on")
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
    source = PlanVersion.objects.filter(pk=request.POST.get("from") or 0).first() or \
        PlanVersion.objects.approved().first()
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
    plan = get_object_or_404(PlanVersion.objects.select_related("created_by", "based_on"), pk=pk)
    can_edit = plan.editable and request.user.has_perm("layers.change_zone")
    figures = compare.figures(plan).values()
    return render(request, "plans/editor.html", {
        "plan": plan, "can_edit": can_edit,
        "can_submit": request.user.has_perm("layers.change_planversion"),
        "can_approve": request.user.has_perm("layers.approve_planversion"),
        "figures": figures, "industry_kinds": Industry.Kind.choices,
        "frame": map_frame(County.objects.first(), editor_overlays(), [
            section(_("Zones of this version"),
                    *({"kind": "swatch", "fill": f.color, "label": f.name} for f in figures)),
            *reference_legend(),
            section(_("Changes"),
                    {"kind": "line", "color": "#000000", "dash": True,
                     "label": _("the zones after the change (preview)")},
                    {"kind": "line", "color": "#c0392b", "dash": True,
                     "label": _("a recorded state: before")},
                    {"kind": "line", "color": "#1f4e9c", "label": _("a recorded state: after")}),
        ], editor_texts(), page={
            "can_edit": can_edit, "csrf": get_token(request), "urls": {
                **layer_urls("county", "towns", "roads", "villages"),
                "plan": reverse("plans_api:version", args=[plan.pk]),
                "history": reverse("plans_api:history", args=[plan.pk]),
                "restore": reverse("plans_api:restore", args=[plan.pk]),
                "zone": reverse("plans_api:zone", args=[plan.pk, "ZONE"]),
                "preview": reverse("plans_api:preview", args=[plan.pk, "ZONE"])}}),
    })


def editor_overlays():
    """The editor's layer groups: the version's zones over the reference layers planners draw
    along (the villages are the ones "pick villages" picks)."""
    return [Overlay("county", _("County boundary")), Overlay("zones", _("Zones")),
            Overlay("towns", _("Towns")), Overlay("roads", _("Roads")),
            Overlay("villages", _("Villages"))]


def reference_legend():
    """How the editor draws the layers planners draw along."""
    return [section(_("Reference layers"),
                    {"kind": "line", "color": "#444444", "weight": 1.2, "dash": True, "label": _("Towns")},
                    {"kind": "line", "color": "#7b5a2e", "weight": 2, "label": _("Roads")},
                    {"kind": "swatch", "fill": "transparent", "outline": "#666666",
                     "label": _("Villages")},
                    {"kind": "line", "color": "#333333", "weight": 2.5, "label": _("County boundary")})]


def layer_urls(*names):
    return {name: reverse("layers:layer", args=[name]) for name in names}


def editor_texts():
    """The texts editor.js shows."""
    return {
        "stale": _("Someone else changed this zone meanwhile: the map has been reloaded; make your change again."),
        "no_moves": _("This change moves nothing."),
        "restore": _("Restore this state"), "show": _("Show"), "before": _("before"),
        "after": _("after"), "confirm_restore": _("Bring every zone back to its state at this change?"),
        "picked": _("villages picked"), "no_history": _("No changes recorded yet."),
    }


@require_POST
@permission_required("layers.change_planversion", raise_exception=True)
def transition(request, pk, action):
    """Submit, withdraw or approve, then back to the version's page with what happened."""
    if action == "approve" and not request.user.has_perm("layers.approve_planversion"):
        raise PermissionDenied
    plan = get_object_or_404(PlanVersion, pk=pk)
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
    plan = get_object_or_404(PlanVersion, pk=pk)
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
    plans = PlanVersion.objects.all()
    if not request.user.has_perm("layers.change_zone"):
        plans = plans.published() | plans.filter(pk__in=[request.GET.get("a") or 0,
                                                         request.GET.get("b") or 0])
    context = {"plans": plans}
    try:
        first, second = (int(request.GET[k]) for k in ("a", "b"))
    except (KeyError, ValueError):
        return render(request, "plans/compare.html", context)
    result = compare.compare(get_object_or_404(PlanVersion, pk=first),
                             get_object_or_404(PlanVersion, pk=second))
    a, b = result.first, result.second
    frame = map_frame(County.objects.first(), [
        Overlay("county", _("County boundary")),
        Overlay("a", _("A: %(name)s") % {"name": a.name}),
        Overlay("b", _("B: %(name)s") % {"name": b.name}),
        Overlay("changed", _("Land that changes zone"))], [
        section(_("A: %(name)s") % {"name": a.name},
                {"kind": "line", "color": "#555555", "dash": True, "label": _("its zones' outlines")}),
        section(_("B: %(name)s") % {"name": b.name},
                *({"kind": "swatch", "fill": f.color, "label": f.name}
                  for _code, _a, f in result.rows if f is not None)),
        section(_("Land that changes zone"),
                {"kind": "swatch", "fill": "#888888", "outline": "#000000",
                 "label": _("filled in the colour of the zone it goes to")})],
        page={"changed": compare.comparison_data(result)["changed"], "urls": {
            **layer_urls("county"), "a": reverse("plans_api:version", args=[first]),
            "b": reverse("plans_api:version", args=[second])}})
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
        "changes": [] if problem else audit.changes(user=user, model=model, since=day, limit=200),
        "kinds": [(name, m._meta.verbose_name) for name, m in audit.AUDITED.items()],
        "filters": {"user": user, "model": model, "since": since}, "problem": problem,
    }, status=400 if problem else 200)
