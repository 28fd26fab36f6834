"""The OpenAPI 3 description of the whole API at /api/schema/, assembled from the `openapi`
module of each app that has endpoints, and the pieces those modules build it from.

Written by hand beside the views rather than generated (docs/architecture.md says why);
tests/test_api_fuzz.py sends schemathesis's requests for every operation and checks each
answer against it, so the description cannot drift from the views unnoticed.
"""
from importlib import import_module

from django.utils.translation import gettext as _

from .api import CONTENT_TYPES, answer, endpoint

# The apps whose openapi.paths() make up the API, in the order of the schema.
SECTIONS = ("layers", "plans", "access", "siting", "assessment", "households", "jobs", "batches")

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
LIST = {"type": "array", "items": {"type": "object"}}
FEATURE_COLLECTION = {"$ref": "#/components/schemas/FeatureCollection"}


def error_response(description):
    """A response of the API's JSON error."""
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def json(description, schema=None):
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def query(name, schema, description="", required=False):
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def path_parameter(name, schema):
    return {"name": name, "in": "path", "required": True, "schema": schema}


def errors(bad, forbidden, **more):
    """The 400, 401 and 403 of an endpoint (and any `more`, by status: "404": "...")."""
    return {"400": error_response(bad), "401": error_response(_("not signed in")),
            "403": error_response(forbidden),
            **{status: error_response(text) for status, text in more.items()}}


def files(*suffixes, json_too=False):
    """A 200's content: the files of `suffixes` (a GeoJSON file is JSON to a client), and JSON
    when the endpoint answers JSON without ?format=."""
    content = {"application/json": {"schema": {"type": "object"}}} if json_too else {}
    for suffix in suffixes:
        kind = CONTENT_TYPES[suffix].split(";")[0]
        content[kind] = {"schema": FEATURE_COLLECTION if suffix == ".geojson"
                         else {"type": "string", "format": "binary"}}
    return content


def multipart(properties, required=("file",)):
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": list(required), "properties": properties}}}}


def schema():
    paths = {}
    for app in SECTIONS:
        paths.update(import_module(f"{app}.openapi").paths())
    return {
        "openapi": "3.0.3",
        "info": {"title": "gisplan API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "FeatureCollection": {"type": "object", "required": ["type", "features"],
                                      "properties": {"type": {"enum": ["FeatureCollection"]},
                                                     "features": {"type": "array",
                                                                  "items": {"type": "object"}}}},
                **import_module("layers.openapi").SCHEMAS},
            # A browser's session, or a personal API token (made on /account/tokens/).
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
                                "token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"session": []}, {"token": []}],
    }


@endpoint("GET", public=True)  # the description of the API is no secret
def openapi_schema(request):
    return answer(schema())
