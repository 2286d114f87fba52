"""The URLs behind report and feed documents, served with no auth as Amazon serves pre-signed URLs."""
from __future__ import annotations

from flask import Blueprint, Response, request

from mock_amazon.pipeline import current_amazon, download_document, json_response, request_body, upload_document

blueprint = Blueprint("documents", __name__)


@blueprint.get("/_documents/<document_id>")
def download(document_id: str) -> Response:
    reply = download_document(current_amazon(), document_id, request.headers)
    if reply.status != 200:
        return json_response(reply.status, reply.body)
    return Response(reply.body, status=200, content_type=reply.headers["content-type"])


@blueprint.put("/_documents/<document_id>")
def upload(document_id: str) -> Response:
    amazon = current_amazon()
    body, oversized = request_body(amazon)
    reply = upload_document(amazon, document_id, request.args, None if oversized else body or b"",
                            request.content_type, request.headers)
    return json_response(reply.status, reply.body)
