"""Ways for an integration to reach the mock: in-process (no sockets, for tests and the simulator) or over
HTTP (a running `python -m mock_amazon`). Each is a `send(Request) -> Response` for the workflow drivers."""
from __future__ import annotations

import requests

from model.workflows.protocol import Request, Response
from mock_amazon.app import invoke
from mock_amazon.auth import LwaError

TIMEOUT_STATUSES = (504,)


class InProcess:
    """Calls the mock's pipeline directly: same auth, limits, faults and validation as over HTTP."""

    def __init__(self, amazon):
        self.amazon = amazon

    def __call__(self, request: Request) -> Response:
        amazon = self.amazon
        if request.operation == "lwa.token":
            with amazon.lock:
                try:
                    return Response(200, amazon.auth.exchange(request.body))
                except LwaError as error:
                    return Response(400, error.body())
        if request.operation in ("document.get", "document.put"):
            document_id = request.url.rsplit("/_documents/", 1)[-1]
            with amazon.lock:
                if request.operation == "document.put":
                    ok = amazon.documents.upload(document_id, request.body, request.content_type)
                    return Response(200 if ok else 404)
                row = amazon.store.execute("SELECT content FROM blobs WHERE id=?", (document_id,)).fetchone()
            return Response(404) if row is None else Response(200, bytes(row[0]))
        reply = invoke(amazon, request.operation, request.headers.get("x-amz-access-token"), request.path,
                       request.query, request.body, request.headers)
        return Response(reply.status, reply.body, reply.headers, timed_out=reply.status in TIMEOUT_STATUSES)


class OverHttp:
    """Calls a running mock (or anything speaking SP-API) at `base_url` with `requests`."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def __call__(self, request: Request) -> Response:
        from mock_amazon.app import operations
        try:
            if request.operation == "lwa.token":
                answer = self.http.post(f"{self.base_url}/auth/o2/token", data=request.body, timeout=self.timeout)
            elif request.operation == "document.get":
                answer = self.http.get(request.url, timeout=self.timeout)
                return Response(answer.status_code, answer.content, dict(answer.headers))
            elif request.operation == "document.put":
                answer = self.http.put(request.url, data=request.body, timeout=self.timeout,
                                       headers={"content-type": request.content_type or "application/octet-stream"})
                return Response(answer.status_code, None, dict(answer.headers))
            else:
                op = operations()[request.operation][0]
                path = op.path
                for name, value in request.path.items():
                    path = path.replace("{" + name + "}", str(value))
                query = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                         for k, v in request.query.items()}
                answer = self.http.request(op.method, self.base_url + path, params=query,
                                           json=request.body, headers=request.headers, timeout=self.timeout)
        except requests.Timeout:
            return Response(504, None, {}, timed_out=True)
        body = answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None
        return Response(answer.status_code, body, dict(answer.headers),
                        timed_out=answer.status_code in TIMEOUT_STATUSES)
