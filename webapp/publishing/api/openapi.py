"""The OpenAPI 3.1 document of ``/api/v1``: the contract other systems are built against.

Written by hand, next to the routes it describes; ``tests/test_api.py`` validates it and runs
a schema-driven tester (schemathesis) over every path and status it documents.
"""

from __future__ import annotations

from typing import Any

from forms.catalogue import REPORTED
from webapp.publishing.opendata.portal import LICENSE, LICENSE_URL

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}
PERIOD = {"name": "period", "in": "query", "schema": {"type": "string", "pattern": "^20[0-9]{2}H[12]$"},
          "description": "A half-year, e.g. 2025H2 (114年下半年)."}


def _problem(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _ok(schema: str, description: str, headers: dict | None = None) -> dict:
    """A list: a flat JSON array of ``schema`` records, or the same records as CSV."""
    return {"description": description, "headers": headers or {},
            "content": {"application/json": {"schema": {
                            "type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}},
                        "text/csv": {"schema": {"type": "string"}}}}


FORMAT = {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]},
          "description": "json (default) or csv; Accept: text/csv does the same."}
INSTRUMENT = {"name": "instrument", "in": "query", "schema": {"type": "string", "enum": list(REPORTED)}}
HEADER = {"schema": {"type": "string"}}


SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "required": ["title", "status"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}}},
    "Office": {"type": "object", "required": ["code", "name", "kind"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "name_en": NULLABLE_STRING,
        "kind": {"type": "string", "enum": ["household", "land"]}, "city": NULLABLE_STRING}},
    "Period": {"type": "object", "required": ["period", "latest_version", "published_at"],
               "properties": {
                   "period": {"type": "string"}, "latest_version": {"type": "integer"},
                   "published_at": {"type": "string"},
                   "corrections": {"type": "array", "items": {"type": "object", "properties": {
                       "version": {"type": "integer"}, "note": NULLABLE_STRING}}}}},
    "SurveyCell": {"type": "object", "required": ["office_code", "item", "n", "suppressed"],
                   "properties": {
                       "period": {"type": "string"}, "instrument": {"type": "string"},
                       "office_code": {"type": "string"}, "office_name": {"type": "string"},
                       "office_kind": {"type": "string"}, "item": {"type": "string"},
                       "item_label": {"type": "string"}, "n": NULLABLE_INT,
                       **{f"level_{i}": NULLABLE_INT for i in range(1, 6)},
                       "satisfied_rate": NULLABLE_NUMBER, "wilson_low": NULLABLE_NUMBER,
                       "wilson_high": NULLABLE_NUMBER, "mean": NULLABLE_NUMBER,
                       "suppressed": {"type": ["string", "null"],
                                      "enum": ["small_n", "complementary", None]}}},
    "InspectionCell": {"type": "object", "required": ["office_code", "instrument", "checks"],
                       "properties": {
                           "period": {"type": "string"}, "instrument": {"type": "string"},
                           "office_code": {"type": "string"}, "office_name": {"type": "string"},
                           "office_kind": {"type": "string"}, "checks": NULLABLE_INT,
                           "mean_score": NULLABLE_NUMBER, "suppressed": NULLABLE_STRING},
                       "additionalProperties": NULLABLE_INT},
    "Result": {"anyOf": [{"$ref": "#/components/schemas/SurveyCell"},
                         {"$ref": "#/components/schemas/InspectionCell"}]},
    "Response": {"type": "object", "required": ["response_id"],
                 "properties": {"response_id": {"type": "integer"}}},
    "Variable": {"type": "object", "required": ["name", "kind"], "properties": {
        "name": {"type": "string"}, "label": {"type": "string"}, "kind": {"type": "string"}}},
}


def document() -> dict:
    bad = _problem("A parameter is missing or not one the API accepts.")
    unauthorized = _problem("The bearer token is unknown or revoked, or none was sent.")
    limited = _problem("Too many requests: wait a minute.")
    public = [{}, {"bearer": []}]   # no token needed; a token, if sent, must be valid
    return {
        "openapi": "3.1.0",
        "info": {"title": "服務品質 open data API", "version": "2.0.0",
                 "description": "Published, de-identified results of the household-registration "
                                "and land-administration offices' service-quality checks, and "
                                "de-identified responses for analysts.",
                 "license": {"name": LICENSE, "url": LICENSE_URL}},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token an administrator created "
                                                          "(sq_…), sent as Authorization: Bearer."}},
            "schemas": SCHEMAS},
        "paths": {
            "/openapi.json": {"get": {"operationId": "document", "summary": "This document",
                                      "security": public, "responses": {
                                          "200": {"description": "The OpenAPI document",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                                          "400": bad, "401": unauthorized, "429": limited}}},
            "/offices": {"get": {"operationId": "offices", "summary": "Every office",
                                 "security": public,
                                 "parameters": [FORMAT],
                                 "responses": {"200": _ok("Office", "The offices"), "400": bad,
                                               "401": unauthorized, "429": limited}}},
            "/periods": {"get": {"operationId": "periods", "summary": "Published half-years",
                                 "security": public,
                                 "parameters": [FORMAT],
                                 "responses": {"200": _ok("Period", "Published periods"), "400": bad,
                                               "401": unauthorized, "429": limited}}},
            "/results": {"get": {
                "operationId": "results", "summary": "A published half-year's results",
                "security": public,
                "parameters": [{**PERIOD, "required": True}, INSTRUMENT,
                               {"name": "office", "in": "query", "schema": {"type": "string"},
                                "description": "An office code"}, FORMAT],
                "responses": {"200": _ok("Result", "The latest published version: the survey's "
                                         "cells, then the inspections'", {
                                             "X-Publication-Version": HEADER, "X-Min-N": HEADER}),
                              "400": bad, "401": unauthorized,
                              "404": _problem("The period has not been published."),
                              "429": limited}}},
            "/responses": {"get": {
                "operationId": "responses",
                "summary": "De-identified responses, as in the export (analyst scope)",
                "security": [{"bearer": []}],
                "parameters": [{**INSTRUMENT, "required": True},
                               {**PERIOD, "required": True},
                               {"name": "office", "in": "query", "schema": {"type": "string"}},
                               {"name": "cursor", "in": "query", "schema": {
                                   "type": "string", "pattern": "^[A-Za-z0-9_-]{1,24}$"},
                                "description": "X-Next-Cursor of the previous page"},
                               {"name": "limit", "in": "query", "schema": {
                                   "type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                               FORMAT],
                "responses": {"200": _ok("Response", "One page, oldest first", {
                                  "X-Next-Cursor": HEADER,
                                  "Link": {**HEADER, "description": '<…>; rel="next" (RFC 8288)'}}),
                              "400": bad, "401": unauthorized,
                              "403": _problem("The token's scope does not include responses."),
                              "429": limited}}},
            "/variables": {"get": {
                "operationId": "variables", "summary": "The responses' columns and their labels",
                "security": public,
                "parameters": [{**INSTRUMENT, "required": True}, {**PERIOD, "required": True},
                               FORMAT],
                "responses": {"200": _ok("Variable", "One record per column"), "400": bad,
                              "401": unauthorized, "429": limited}}},
        },
    }
