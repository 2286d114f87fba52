"""Report and feed documents: bytes in the store, served at `{base_url}/_documents/{id}` with no auth, as
Amazon serves them from pre-signed URLs. URLs come from the configured base URL, never from the request's Host."""
from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

from mock_amazon.errors import NotFound

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

class Documents:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon

    def create(self, seller_id: str, document_id: str, content: bytes, content_type: str,
               gzip_it: bool = False) -> str:
        self.amazon.store.execute("INSERT INTO blobs VALUES (?, ?, ?, ?, ?)", (
            document_id, seller_id, gzip.compress(content, mtime=0) if gzip_it else content,
            "application/octet-stream" if gzip_it else content_type, "GZIP" if gzip_it else None))
        return document_id

    def upload(self, document_id: str, content: bytes, content_type: str | None) -> bool:
        """The PUT behind a feed document's URL; False if there is no such document."""
        row = self.amazon.store.execute("SELECT content_type FROM blobs WHERE id=?", (document_id,)).fetchone()
        if row is None:
            return False
        self.amazon.store.execute("UPDATE blobs SET content=?, content_type=? WHERE id=?",
                                (content, content_type or row[0], document_id))
        return True

    def download(self, document_id: str) -> tuple[bytes, str] | None:
        """What a document's URL serves to anyone holding it (Amazon's URLs are pre-signed): bytes and type."""
        row = self.amazon.store.execute("SELECT content, content_type FROM blobs WHERE id=?", (document_id,)).fetchone()
        return None if row is None else (bytes(row[0]), row[1])

    def content(self, seller_id: str, document_id: str) -> bytes | None:
        row = self.amazon.store.execute("SELECT content FROM blobs WHERE id=? AND seller_id=?",
                                      (document_id, seller_id)).fetchone()
        return None if row is None else bytes(row[0])

    def describe(self, seller_id: str, document_id: str, id_key: str, label: str) -> dict:
        """A ReportDocument or FeedDocument: its ID, its URL, and its compression if any."""
        row = self.amazon.store.execute("SELECT compression FROM blobs WHERE id=? AND seller_id=?",
                                      (document_id, seller_id)).fetchone()
        if row is None:
            raise NotFound(f"No {label} found with ID {document_id}.", document_id)
        body = {id_key: document_id, "url": f"{self.amazon.base_url}/_documents/{document_id}"}
        if row[0]:
            body["compressionAlgorithm"] = row[0]
        return body
