"""The OpenAPI 3.1 document of ``/api/v1``: the contract other systems are built against.

Written by hand, next to the routes it describes; ``tests/test_api.py`` validates it and runs
a schema-driven tester (schemathesis) over every path and status it documents.
"""

from __future__ import annotations

from typing import Any

from forms.catalogue import REPORTED

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}
PERIOD = {"name": "period", "in": "query", "schema": {"type": "string", "pattern": "^20[0-9]{2}H[12]$"},
          "description": "A half-year, e.g. 2025H2 (114年下半年)."}


def _problem(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _ok(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "required": ["title", "status"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}}},
    "Office": {"type": "object", "required": ["code", "name", "kind"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "name_en": NULLABLE_STRING,
        "kind": {"type": "string", "enum": ["household", "land"]}, "city": NULLABLE_STRING}},
    "Offices": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Office"}}}},
    "Period": {"type": "object", "required": ["period", "latest_version", "published_at"],
               "properties": {
                   "period": {"type": "string"}, "latest_version": {"type": "integer"},
                   "published_at": {"type": "string"},
                   "corrections": {"type": "array", "items": {"type": "object", "properties": {
                       "version": {"type": "integer"}, "note": NULLABLE_STRING}}}}},
    "Periods": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Period"}}}},
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
    "Results": {"type": "object", "required": ["period", "version", "survey", "inspections"],
                "properties": {
                    "period": {"type": "string"}, "version": {"type": "integer"},
                    "min_n": {"type": "integer"},
                    "survey": {"type": "array", "items": {"$ref": "#/components/schemas/SurveyCell"}},
                    "inspections": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/InspectionCell"}}}},
    "Responses": {"type": "object", "required": ["variables", "data", "next_cursor"], "properties": {
        "variables": {"type": "array", "items": {"type": "object", "required": ["name", "kind"],
                                                 "properties": {"name": {"type": "string"},
                                                                "label": {"type": "string"},
                                                                "kind": {"type": "string"}}}},
        "data": {"type": "array", "items": {"type": "object", "required": ["response_id"],
                                            "properties": {"response_id": {"type": "integer"}}}},
        "next_cursor": NULLABLE_STRING}},
}


def document() -> dict:
    bad = _problem("A parameter is missing or not one the API accepts.")
    unauthorized = _problem("The bearer token is unknown or revoked, or none was sent.")
    limited = _problem("Too many requests: wait a minute.")
    public = [{}, {"bearer": []}]   # no token needed; a token, if sent, must be valid
    return {
        "openapi": "3.1.0",
        "info": {"title": "服務品質 open data API", "version": "1.0.0",
                 "description": "Published, de-identified results of the household-registration "
                                "and land-administration offices' service-quality checks, and "
                                "de-identified responses for analysts.",
                 "license": {"name": "政府資料開放授權條款－第1版", "url": "https://data.gov.tw/license"}},
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
                                          "401": unauthorized, "429": limited}}},
            "/offices": {"get": {"operationId": "offices", "summary": "Every office",
                                 "security": public,
                                 "responses": {"200": _ok("Offices", "The offices"),
                                               "401": unauthorized, "429": limited}}},
            "/periods": {"get": {"operationId": "periods", "summary": "Published half-years",
                                 "security": public,
                                 "responses": {"200": _ok("Periods", "Published periods"),
                                               "401": unauthorized, "429": limited}}},
            "/results": {"get": {
                "operationId": "results", "summary": "A published half-year's results",
                "security": public,
                "parameters": [{**PERIOD, "required": True},
                               {"name": "instrument", "in": "query", "schema": {
                                   "type": "string", "enum": list(REPORTED)}},
                               {"name": "office", "in": "query", "schema": {"type": "string"},
                                "description": "An office code"}],
                "responses": {"200": _ok("Results", "The latest published version"),
                              "400": bad, "401": unauthorized,
                              "404": _problem("The period has not been published."),
                              "429": limited}}},
            "/responses": {"get": {
                "operationId": "responses",
                "summary": "De-identified responses, as in the export (analyst scope)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "instrument", "in": "query", "required": True, "schema": {
                                   "type": "string", "enum": list(REPORTED)}},
                               {**PERIOD, "required": True},
                               {"name": "office", "in": "query", "schema": {"type": "string"}},
                               {"name": "cursor", "in": "query", "schema": {
                                   "type": "string", "pattern": "^[A-Za-z0-9_-]{1,24}$"},
                                "description": "next_cursor of the previous page"},
                               {"name": "limit", "in": "query", "schema": {
                                   "type": "integer", "minimum": 1, "maximum": 500, "default": 100}}],
                "responses": {"200": _ok("Responses", "One page, oldest first"), "400": bad,
                              "401": unauthorized,
                              "403": _problem("The token's scope does not include responses."),
                              "429": limited}}},
        },
    }
