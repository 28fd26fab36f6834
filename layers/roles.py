"""The roles and the permissions each needs, declared as data.

Officials browse; analysts browse and run analyses; planners also edit the plan's layers (zones,
villages with their figures and quarterly statistics, centers, industries, roads, rivers) and
the register of poor households, whose personal data they alone see; import the county's DEM
and land use (which replaces the current raster); and approve plan versions. A county's
administrator browses and manages the users of that county (the admin's user pages, narrowed to
them: layers.admin) and sees who exported households. The county, its towns and its protected
areas are loaded, not edited, so no role changes them. The data migration 0002_roles creates
the groups from this table, and every `migrate` brings them up to date.
"""
# Every role holds it: the pages of the plan's data (portal, assessment, import and export).
VIEW_DATA = "layers.view_village"
# Analysts and planners: coverage, location and siting.
RUN_ANALYSIS = "layers.run_analysis"
# Planners: replace the county's DEM or land use by an import (never edit a raster's row).
IMPORT_RASTERS = "layers.import_rasters"



def view_permission(model):
    """The permission to read the rows of `model` (a layer)."""
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


VIEW_ALL = [f"layers.view_{model}" for model in (
    "county", "town", "planversion", "zone", "village", "servicecenter", "industry", "road",
    "river", "protectedarea", "rasterlayer", "villageperiod")] + ["households.view_household"]

# County administrators: add users and change them (never delete: a user leaves by being made
# inactive, so that the audit log keeps naming them).
MANAGE_USERS = ["auth.view_user", "auth.add_user", "auth.change_user"]
# The roles a county administrator may give.
GIVEN_BY_ADMINISTRATORS = ("planner", "official", "analyst")

EDITED_BY_PLANNERS = ("planversion", "zone", "village", "servicecenter", "industry", "road", "river")
# Quarterly statistics are kept as reported: planners add them, nobody changes them.
ADDED_BY_PLANNERS = ("villageperiod",)
# Planners keep the county's register of poor households, and they alone see its personal data
# (names, ID numbers, phones); a status change is added, never changed.
KEEP_REGISTER = ["households.see_personal_data", "households.view_householdevent",
                 "households.add_householdevent"] + [
    f"households.{action}_{model}" for model in ("household", "member", "cadre", "householdincome")
    for action in ("add", "change", "delete")] + [
    f"households.view_{model}" for model in ("member", "cadre", "householdincome")]

ROLES = {
    "official": VIEW_ALL,
    "analyst": VIEW_ALL + [RUN_ANALYSIS],
    "planner": VIEW_ALL + [RUN_ANALYSIS, IMPORT_RASTERS, "layers.approve_planversion"] + [
        f"layers.{action}_{model}" for model in EDITED_BY_PLANNERS
        for action in ("add", "change", "delete")] + [
        f"layers.add_{model}" for model in ADDED_BY_PLANNERS] + KEEP_REGISTER,
    "administrator": VIEW_ALL + MANAGE_USERS + ["households.view_householdexport"],
}


def sync_roles(group_model, permission_model):
    """Create the groups and give each exactly the permissions of ROLES that exist.

    Run by the data migration 0002_roles (when only the models of that time exist) and after
    every `migrate` (layers.apps), so that a change to ROLES reaches the database.
    """
    for role, names in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = permission_model.objects.none()
        for name in names:
            app_label, codename = name.split(".")
            wanted |= permission_model.objects.filter(content_type__app_label=app_label,
                                                      codename=codename)
        group.permissions.set(wanted)
