"""Schema post-processing: what every operation may answer, whatever its view says.

RefuseCprInQueryMiddleware (samarbejde/core/middleware.py) answers any request whose query string holds something
that looks like a CPR number with 400 and a problem document, before the view runs. The schema says so for every
operation, so clients (and schemathesis) know the answer.
"""

from samarbejde.core.middleware import MSG_CPR_IN_URL_TITLE

CPR_REFUSAL = f"{MSG_CPR_IN_URL_TITLE}: forespørgselsstrengen indeholder noget, der ligner et CPR-nummer."


def document_cpr_refusal(result, generator, request, public):
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            if "400" in responses:
                responses["400"]["description"] = f"{responses['400'].get('description', '')} {CPR_REFUSAL}".strip()
                responses["400"].setdefault("content", problem)
            else:
                responses["400"] = {"content": problem, "description": CPR_REFUSAL}
    return result
