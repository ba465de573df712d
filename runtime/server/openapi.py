"""The API's OpenAPI 3 document, served at /v1/openapi.json (tests/server/test_openapi.py keeps it true)."""

from .. import limits

ERROR = {"$ref": "#/components/responses/Error"}
FLOATS = {"type": "array", "items": {"type": "number"}}


def openapi_document() -> dict:
    from .. import __version__

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "edgevae",
            "version": __version__,
            "description": (
                "Generate and encode handwritten digits with an exported VAE. Refusals are 4xx with"
                f' {{"error": "one line"}}. Limits: a body of at most {limits.MAX_REQUEST_BYTES:,} bytes'
                f" ({limits.MAX_JSON_BYTES:,} for JSON), {limits.MAX_BATCH:,} latents or images per request,"
                f" {limits.MAX_UPLOAD_PICTURES} pictures per upload,"
                f" the body within {limits.BODY_TIMEOUT_SECONDS} s."
            ),
        },
        "paths": {
            "/v1/health": {"get": get("Ready once the model has loaded", json_response("Health"))},
            "/v1/info": {
                "get": get("The model's summary, as `edgevae info --format json`", json_response("Info"))
            },
            "/v1/latent-map": {
                "get": get(
                    "The test digits' latent means and labels (404 without one)", json_response("LatentMap")
                )
            },
            "/v1/generate": {
                "post": {
                    "summary": "Decode latents, or draw them at random (optionally of one digit)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/GenerateRequest"},
                                "examples": {
                                    "latents": {"value": {"latents": [[0.5, -1.0]]}},
                                    "random": {"value": {"random": 4, "seed": 0}},
                                    "digit": {"value": {"random": 4, "seed": 0, "digit": 7}},
                                    "digits": {"value": {"digits": True}},
                                },
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "By the Accept header: JSON (default), a PNG grid, or float32"
                            " [n, 28, 28] little-endian bytes (X-Shape: n,28,28)",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Generated"}},
                                "image/png": {"schema": {"type": "string", "format": "binary"}},
                                "application/octet-stream": {
                                    "schema": {"type": "string", "format": "binary"}
                                },
                            },
                        },
                        "4XX": ERROR,
                    },
                }
            },
            "/v1/encode": {
                "post": {
                    "summary": "Encode pictures: one as the body (PNG, JPEG, a photo...),"
                    " several as multipart/form-data, or pixels as JSON",
                    "parameters": [
                        {
                            "name": "show_input",
                            "in": "query",
                            "schema": {"type": "boolean", "default": False},
                            "description": "Also return the 28x28 the model saw",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "image/*": {"schema": {"type": "string", "format": "binary"}},
                            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string", "format": "binary"},
                                }
                            },
                            "application/json": {"schema": {"$ref": "#/components/schemas/EncodeRequest"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One encoding per picture, in order",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Encoded"}}
                            },
                        },
                        "4XX": ERROR,
                    },
                }
            },
            "/v1/manifold": {
                "get": {
                    "summary": "The n x n manifold over the 2-D latent space, as `edgevae manifold`",
                    "parameters": [
                        {
                            "name": "n",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 2, "maximum": 100, "default": 20},
                        },
                        {
                            "name": "span",
                            "in": "query",
                            "schema": {
                                "type": "number",
                                # OpenAPI 3.0: the bounds are minimum/maximum, the flags exclude them
                                "minimum": 0.5,
                                "exclusiveMinimum": True,
                                "maximum": 1,
                                "exclusiveMaximum": True,
                                "default": 0.95,
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A PNG of n x n digits",
                            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        "4XX": ERROR,
                    },
                }
            },
            "/v1/openapi.json": {
                "get": get(
                    "This document",
                    {
                        "description": "OpenAPI 3",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                )
            },
        },
        "components": {
            "responses": {
                "Error": {
                    "description": "A refused request",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "Error": obj({"error": {"type": "string"}}),
                "Health": obj({"status": {"type": "string", "enum": ["ready"]}}),
                "Info": obj(
                    {
                        "latent_dim": {"type": "integer"},
                        "image_shape": {"type": "array", "items": {"type": "integer"}},
                        "digit_anchors": {"type": "array", "nullable": True, "items": {"type": "object"}},
                        "files": {"type": "array", "items": {"type": "object"}},
                        "int8": {"type": "boolean"},
                        "threads": {"type": "integer"},
                        "workers": {"type": "integer"},
                    }
                ),
                "LatentMap": obj(
                    {
                        "z": {"type": "array", "items": FLOATS},
                        "digit": {"type": "array", "items": {"type": "integer"}},
                    }
                ),
                "GenerateRequest": {
                    "type": "object",
                    "description": "Exactly one of latents, random or digits",
                    "properties": {
                        "latents": {
                            "oneOf": [
                                FLOATS,
                                {"type": "array", "items": FLOATS, "maxItems": limits.MAX_BATCH},
                            ]
                        },
                        "random": {"type": "integer", "minimum": 1, "maximum": limits.MAX_BATCH},
                        "seed": {"type": "integer", "minimum": 0},
                        "digit": {"type": "integer", "minimum": 0, "maximum": 9},
                        "digits": {
                            "type": "boolean",
                            "description": "0-9 at their anchors; with random N, N of each",
                        },
                        "columns": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Columns of the PNG grid",
                        },
                    },
                    "additionalProperties": False,
                },
                "Generated": obj(
                    {
                        "latents": {"type": "array", "items": FLOATS},
                        "images": {"type": "array", "items": {"type": "array", "items": FLOATS}},
                    }
                ),
                "EncodeRequest": obj(
                    {
                        "pixels": {
                            "type": "array",
                            "maxItems": limits.MAX_BATCH,
                            "items": {"type": "array"},
                            "description": "[n, 28, 28] or [n, 784]: numbers in [0, 1], whole ones too",
                        }
                    }
                ),
                "Encoded": obj(
                    {
                        "encodings": {
                            "type": "array",
                            "items": obj(
                                {
                                    "image": {"type": "string"},
                                    "digit": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "maximum": 9,
                                        "description": "the digit the model reads (models with a digit head)",
                                    },
                                    "probability": {
                                        "type": "number",
                                        "minimum": 0,
                                        "maximum": 1,
                                        "description": "the digit head's probability of that digit",
                                    },
                                    "z_mean": FLOATS,
                                    "z_log_var": FLOATS,
                                    "input": {"type": "array", "items": FLOATS},
                                },
                                required=["image", "z_mean", "z_log_var"],
                            ),
                        }
                    }
                ),
            },
        },
    }


def get(summary: str, response: dict) -> dict:
    return {"summary": summary, "responses": {"200": response}}


def json_response(schema: str) -> dict:
    return {
        "description": "OK",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def obj(properties: dict, required=None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }
