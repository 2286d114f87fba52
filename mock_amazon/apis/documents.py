"""Report and feed documents: bytes in the store, served at `{base_url}/_documents/{id}` with no auth, as
Amazon serves them from pre-signed URLs. URLs come from the configured base URL, never from the request's Host."""
from __future__ import annotations

import gzip

from flask import Blueprint, Response, request

from mock_amazon.errors import InvalidInput, NotFound

blueprint = Blueprint("documents", __name__)


class Documents:
    def __init__(self, mock):
        self.mock = mock

    def create(self, seller_id: str, document_id: str, content: bytes, content_type: str,
               gzip_it: bool = False) -> str:
        self.mock.store.execute("INSERT INTO blobs VALUES (?, ?, ?, ?, ?)", (
            document_id, seller_id, gzip.compress(content, mtime=0) if gzip_it else content,
            "application/octet-stream" if gzip_it else content_type, "GZIP" if gzip_it else None))
        return document_id

    def upload(self, document_id: str, content: bytes, content_type: str | None) -> bool:
        """The PUT behind a feed document's URL; False if there is no such document."""
        row = self.mock.store.execute("SELECT content_type FROM blobs WHERE id=?", (document_id,)).fetchone()
        if row is None:
            return False
        self.mock.store.execute("UPDATE blobs SET content=?, content_type=? WHERE id=?",
                                (content, content_type or row[0], document_id))
        return True

    def content(self, seller_id: str, document_id: str) -> bytes | None:
        row = self.mock.store.execute("SELECT content FROM blobs WHERE id=? AND seller_id=?",
                                      (document_id, seller_id)).fetchone()
        return None if row is None else bytes(row[0])

    def describe(self, seller_id: str, document_id: str, id_key: str, label: str) -> dict:
        """A ReportDocument or FeedDocument: its ID, its URL, and its compression if any."""
        row = self.mock.store.execute("SELECT compression FROM blobs WHERE id=? AND seller_id=?",
                                      (document_id, seller_id)).fetchone()
        if row is None:
            raise NotFound(f"No {label} found with ID {document_id}.", document_id)
        body = {id_key: document_id, "url": f"{self.mock.base_url}/_documents/{document_id}"}
        if row[0]:
            body["compressionAlgorithm"] = row[0]
        return body


def _mock():
    from mock_amazon.app import mock
    return mock()


@blueprint.get("/_documents/<document_id>")
def download(document_id: str):
    from mock_amazon.app import json_response
    row = _mock().store.execute("SELECT content, content_type FROM blobs WHERE id=?", (document_id,)).fetchone()
    if row is None:
        return json_response(404, NotFound(f"No document found with ID {document_id}.").body())
    return Response(bytes(row[0]), status=200, content_type=row[1])


@blueprint.put("/_documents/<document_id>")
def upload(document_id: str):
    from mock_amazon.app import json_response
    amazon = _mock()
    content = request.get_data()
    if len(content) > amazon.settings.max_body_bytes:
        return json_response(400, InvalidInput("The document is too large.", "body").body())
    with amazon.lock:
        if not amazon.documents.upload(document_id, content, request.content_type):
            return json_response(404, NotFound(f"No document found with ID {document_id}.").body())
    return Response(status=200)
