"""Report and feed documents: bytes in the store, behind URLs as Amazon hands them out.

Downloads are served at `{base_url}/_documents/{id}` to anyone holding the URL, as Amazon serves them from
pre-signed URLs. Uploads are only for the document a createFeedDocument answer was for, through the URL that answer
carried: it is signed for that document and for PUT, and expires `UPLOAD_URL_SECONDS` after it was issued, on the
wire's clock (Amazon's feed upload URLs live five minutes). Report documents and feed processing reports are never
writable. URLs come from the configured base URL, never from the request's Host.

A document of `PACK_FROM_BYTES` or more is kept zlib-compressed (`packed`) and served as it was given: a month's
simulation makes hundreds of megabytes of report text, which compresses about tenfold.
"""
from __future__ import annotations

import gzip
import hashlib
import hmac
import secrets
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from mock_amazon.errors import ApiError, NotFound

if TYPE_CHECKING:  # the backends are parts of MockAmazon, which imports them
    from mock_amazon.core import MockAmazon

PATH = "/_documents/"
UPLOAD_URL_SECONDS = 300
SIGNING_KEY_SETTING = "document_signing_key"
PACK_FROM_BYTES = 4096


class AccessDenied(ApiError):
    """What S3 answers a URL that does not allow the request (Amazon's document URLs are S3's)."""
    http_status, kind, code = 403, "unauthorized", "AccessDenied"


class Documents:
    def __init__(self, amazon: MockAmazon) -> None:
        self.amazon = amazon

    def create(self, seller_id: str, document_id: str, content: bytes, content_type: str,
               gzip_it: bool = False, uploadable: bool = False) -> str:
        """Store a document; `uploadable` only for a feed's input document, which its upload URL fills."""
        packed = not gzip_it and len(content) >= PACK_FROM_BYTES
        if gzip_it:
            content = gzip.compress(content, mtime=0)
        elif packed:
            content = zlib.compress(content, 1)  # the fastest level: most of the gain, a few ms a megabyte
        self.amazon.store.execute(
            "INSERT INTO blobs (id, seller_id, content, content_type, compression, uploadable, packed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (document_id, seller_id, content, "application/octet-stream" if gzip_it else content_type,
             "GZIP" if gzip_it else None, int(uploadable), int(packed)))
        return document_id

    # upload URLs
    def upload_url(self, document_id: str) -> str:
        """The URL createFeedDocument answers: PUT to it, for this document only, until it expires."""
        issued = int(self.amazon.wire_clock.seconds())
        query = {"X-Amz-Date": str(issued), "X-Amz-Expires": str(UPLOAD_URL_SECONDS),
                 "X-Amz-Signature": self._signature(document_id, issued, UPLOAD_URL_SECONDS)}
        return f"{self.download_url(document_id)}?{urlencode(query)}"

    def download_url(self, document_id: str) -> str:
        return f"{self.amazon.base_url}{PATH}{document_id}"

    def _signature(self, document_id: str, issued: int, expires: int) -> str:
        key = self.amazon.store.setting(SIGNING_KEY_SETTING)
        if key is None:  # made once per store; not from the mock's seeded random stream, which runs stay on
            key = secrets.token_hex(32)
            self.amazon.store.set_setting(SIGNING_KEY_SETTING, key)
        message = f"PUT\n{document_id}\n{issued}\n{expires}".encode()
        return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()

    def upload(self, document_id: str, query: Mapping[str, str], content: bytes, content_type: str | None) -> None:
        """The PUT behind a feed document's upload URL: AccessDenied unless the URL was issued for this document
        and has not expired; NotFound if there is no such document."""
        row = self.amazon.store.execute("SELECT content_type, uploadable FROM blobs WHERE id=?",
                                        (document_id,)).fetchone()
        if row is None:
            raise NotFound(f"No document found with ID {document_id}.", document_id)
        if not row[1]:
            raise AccessDenied("This document is read-only: its URL allows downloads only.", document_id)
        try:
            issued, expires = int(query.get("X-Amz-Date", "")), int(query.get("X-Amz-Expires", ""))
        except ValueError:
            raise AccessDenied("The upload URL is not signed: use the url createFeedDocument answered.",
                               document_id) from None
        if not hmac.compare_digest(query.get("X-Amz-Signature", ""), self._signature(document_id, issued, expires)):
            raise AccessDenied("The request signature does not match: this URL was not issued for this document.",
                               document_id)
        if self.amazon.wire_clock.seconds() > issued + expires:
            raise AccessDenied("Request has expired: upload URLs live "
                               f"{UPLOAD_URL_SECONDS} seconds; call createFeedDocument again.", document_id)
        self.amazon.store.execute("UPDATE blobs SET content=?, content_type=?, packed=0 WHERE id=?",
                                  (content, content_type or row[0], document_id))

    # reading
    def download(self, document_id: str) -> tuple[bytes, str] | None:
        """What a document's URL serves to anyone holding it (Amazon's URLs are pre-signed): bytes and type."""
        row = self.amazon.store.execute("SELECT content, packed, content_type FROM blobs WHERE id=?",
                                        (document_id,)).fetchone()
        return None if row is None else (_unpacked(row[0], row[1]), row[2])

    def content(self, seller_id: str, document_id: str) -> bytes | None:
        row = self.amazon.store.execute("SELECT content, packed FROM blobs WHERE id=? AND seller_id=?",
                                        (document_id, seller_id)).fetchone()
        return None if row is None else _unpacked(row[0], row[1])

    def describe(self, seller_id: str, document_id: str, id_key: str, label: str) -> dict:
        """A ReportDocument or FeedDocument: its ID, its URL, and its compression if any."""
        row = self.amazon.store.execute("SELECT compression FROM blobs WHERE id=? AND seller_id=?",
                                        (document_id, seller_id)).fetchone()
        if row is None:
            raise NotFound(f"No {label} found with ID {document_id}.", document_id)
        body = {id_key: document_id, "url": self.download_url(document_id)}
        if row[0]:
            body["compressionAlgorithm"] = row[0]
        return body


def _unpacked(content: bytes, packed: int) -> bytes:
    return zlib.decompress(content) if packed else bytes(content)
