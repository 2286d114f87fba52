"""The URLs behind report and feed documents, served with no auth as Amazon serves pre-signed URLs."""
from __future__ import annotations

from flask import Blueprint, Response, request

from mock_amazon.errors import InvalidInput, NotFound
from mock_amazon.pipeline import current_amazon, json_response

blueprint = Blueprint("documents", __name__)


@blueprint.get("/_documents/<document_id>")
def download(document_id: str) -> Response:
    document = current_amazon().documents.download(document_id)
    if document is None:
        return json_response(404, NotFound(f"No document found with ID {document_id}.").body())
    content, content_type = document
    return Response(content, status=200, content_type=content_type)


@blueprint.put("/_documents/<document_id>")
def upload(document_id: str) -> Response:
    amazon = current_amazon()
    content = request.get_data()
    if len(content) > amazon.settings.max_body_bytes:
        return json_response(400, InvalidInput("The document is too large.", "body").body())
    with amazon.lock:
        if not amazon.documents.upload(document_id, content, request.content_type):
            return json_response(404, NotFound(f"No document found with ID {document_id}.").body())
    return Response(status=200)
