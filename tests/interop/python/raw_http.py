"""A plain HTTP client with an independent, minimal V1 signer.

Used where an SDK cannot send the request a test needs (a malformed bucket name, a raw XML body,
a virtual-hosted Host header, a stale Date) and to fetch presigned URLs the way a browser or curl
would. The V1 string to sign follows signing.md section 1.1.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import http.client
import time
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Dict, Optional, Tuple

from clients import Credentials


class RawResponse:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def error(self) -> Dict[str, str]:
        """The <Error> body as a dict of its leaf elements."""
        assert self.body, f"status {self.status} without an error body"
        root = ET.fromstring(self.body)
        assert root.tag.split("}")[-1] == "Error", self.body[:300]
        return {child.tag.split("}")[-1]: (child.text or "") for child in root}

    def __repr__(self):
        return f"RawResponse({self.status}, {self.body[:300]!r})"


def http_date(when: Optional[float] = None) -> str:
    return email.utils.formatdate(when if when is not None else time.time(), usegmt=True)


def v1_signature(secret: str, method: str, resource: str, headers: Dict[str, str]) -> str:
    h = {k.lower(): v for k, v in headers.items()}
    oss_headers = "".join(f"{k}:{h[k].strip()}\n" for k in sorted(h) if k.startswith("x-oss-"))
    to_sign = "\n".join(
        [method, h.get("content-md5", ""), h.get("content-type", ""), h.get("date", "")]
    ) + "\n" + oss_headers + resource
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class RawClient:
    def __init__(self, endpoint: str, creds: Optional[Credentials]):
        u = urllib.parse.urlsplit(endpoint)
        self.host, self.port = u.hostname, u.port
        self.creds = creds

    def request(
        self,
        method: str,
        bucket: Optional[str] = None,
        key: str = "",
        subresource: str = "",
        body: bytes = b"",
        headers: Optional[Dict[str, str]] = None,
        date: Optional[str] = None,
        virtual_host: Optional[str] = None,
        sign_with: Optional[Credentials] = None,
        query: str = "",
    ) -> RawResponse:
        """``subresource`` is a raw query of V1 sub-resources (e.g. ``encryption`` or ``uploads``),
        signed as is; ``query`` holds further, unsigned parameters (e.g. ``prefix=a&max-keys=2``)."""
        headers = dict(headers or {})
        headers.setdefault("Date", date or http_date())
        creds = sign_with or self.creds
        if creds is not None:
            if creds.security_token:
                headers["x-oss-security-token"] = creds.security_token
            resource = "/" + (f"{bucket}/" if bucket else "") + key
            if subresource:
                resource += "?" + subresource
            sig = v1_signature(creds.access_key_secret, method, resource, headers)
            headers["Authorization"] = f"OSS {creds.access_key_id}:{sig}"
        quoted_key = urllib.parse.quote(key, safe="/")
        if virtual_host and bucket:
            # ``virtual_host`` is the domain the bucket name is prefixed to, e.g. "localhost:PORT".
            headers["Host"] = f"{bucket}.{virtual_host}"
            path = "/" + quoted_key
        else:
            path = "/" + (f"{bucket}/" if bucket else "") + quoted_key
        full_query = "&".join(q for q in (subresource, query) if q)
        if full_query:
            path += "?" + full_query
        return self.send(method, path, body, headers)

    def send(self, method: str, path: str, body: bytes = b"", headers=None) -> RawResponse:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()


def fetch_url(url: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """GET a URL with urllib, the standard library's plain HTTP client."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()
