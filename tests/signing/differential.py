#!/usr/bin/env python3
"""Differential signing test: `ossbridge sign` against oss2 2.19.1 and alibabacloud-oss-v2 1.4.1.

Generates random requests (methods, unicode and special-character keys, sub-resources, x-oss-*
and plain headers, STS tokens, V1 and V4, header and presign modes), signs each with both
official SDKs' signer classes at a fixed time, and with `ossbridge sign --batch` (the same code
path as the public command line), then compares the results byte for byte.

Where an SDK is known to diverge (spec/signing.md §4-5), the script does not skip the case: it
derives what that SDK must produce from ossbridge's canonical request / string to sign by
applying the documented divergence, recomputes the HMAC, and asserts the SDK produced exactly
that. Every divergence kind must be exercised at least once, so none of these checks is vacuous.

Usage: differential.py --bin target/release/ossbridge [--count N] [--seed S]
"""

import argparse
import base64
import collections
import datetime
import hashlib
import hmac
import json
import random
import subprocess
import sys
import time as time_module
import types
from urllib.parse import quote, urlencode, urlparse

import oss2
import oss2.auth
import oss2.http
import oss2.utils
from oss2.api import _UrlMaker
from oss2.credentials import StaticCredentialsProvider

import alibabacloud_oss_v2 as oss_v2
from alibabacloud_oss_v2 import _client as v2_client
from alibabacloud_oss_v2.signer.v1 import SignerV1
from alibabacloud_oss_v2.signer.v4 import SignerV4
from alibabacloud_oss_v2.types import HttpRequest, OperationInput, SigningContext

assert oss2.__version__ == "2.19.1", oss2.__version__
assert oss_v2.__version__ == "1.4.1", oss_v2.__version__

ACCESS_KEY_ID = "LTAI5tTESTACCESSKEYID"
ACCESS_KEY_SECRET = "TESTACCESSKEYSECRET0123456789ab"

# go-sdk-v2's default V1 sub-resource set plus resourceGroup: ossbridge's default set
# (core/src/signing/v1.rs). alibabacloud-oss-v2 uses exactly this set (checked below).
DEFAULT_SUB_RESOURCES = {
    "acl", "bucketInfo", "location", "stat", "delete", "append", "tagging", "objectMeta",
    "uploads", "uploadId", "partNumber", "security-token", "position", "response-content-type",
    "response-content-language", "response-expires", "response-cache-control",
    "response-content-disposition", "response-content-encoding", "restore", "callback",
    "callback-var", "versions", "versioning", "versionId", "sequential", "continuation-token",
    "regionList", "cloudboxes", "symlink", "resourceGroup",
}
OSS2_SUB_RESOURCES = set(oss2.auth.ProviderAuth._subresource_key_set)

# Query parameters by role. (name, value generator kind)
DEFAULT_PARAMS = [
    ("acl", ""), ("uploads", ""), ("uploadId", "id"), ("partNumber", "num"), ("versionId", "id"),
    ("tagging", ""), ("append", ""), ("position", "num"), ("response-content-type", "text"),
    ("response-content-disposition", "text"), ("response-cache-control", "text"),
    ("response-expires", "text"), ("response-content-language", "text"),
    ("response-content-encoding", "text"), ("restore", ""), ("symlink", ""), ("location", ""),
    ("bucketInfo", ""), ("stat", ""), ("delete", ""), ("objectMeta", ""), ("versioning", ""),
    ("versions", ""), ("continuation-token", "text"), ("callback", "b64"), ("sequential", ""),
    ("regionList", ""), ("cloudboxes", ""), ("resourceGroup", ""),
]
# Sub-resources an operation declares (go2 OpMetadata SubResource / py2 op_metadata).
OPERATION_PARAMS = [
    ("encryption", ""), ("cors", ""), ("lifecycle", ""), ("website", ""), ("referer", ""),
    ("logging", ""), ("policy", ""), ("inventory", ""), ("inventoryId", "id"), ("worm", ""),
    ("wormId", "id"), ("wormExtend", ""), ("replication", ""), ("cname", ""), ("comp", "id"),
    ("style", ""), ("styleName", "id"), ("transferAcceleration", ""), ("metaQuery", ""),
    ("accessPoint", ""), ("publicAccessBlock", ""), ("httpsConfig", ""), ("requestPayment", ""),
    ("overwriteConfig", ""), ("cleanRestoredObject", ""), ("objectWorm", ""),
]
X_OSS_PARAMS = [
    ("x-oss-process", "process"), ("x-oss-traffic-limit", "num"), ("x-oss-request-payer", "payer"),
    ("x-oss-async-process", "process"), ("x-oss-ac-source-ip", "ip"),
]
PLAIN_PARAMS = [
    ("prefix", "text"), ("max-keys", "num"), ("delimiter", "delim"), ("marker", "text"),
    ("encoding-type", "url"), ("list-type", "two"), ("start-after", "text"), ("fetch-owner", "bool"),
    ("key-marker", "text"), ("upload-id-marker", "id"), ("max-uploads", "num"),
    ("Zeta", "text"), ("_under", "text"), ("~tilde", "text"), ("+plus", "text"), ("a-b", "text"),
    ("ab", "text"), ("|pipe", "text"), ("ü-name", "text"), ("empty", ""),
]
for name, _ in PLAIN_PARAMS:
    assert name not in OSS2_SUB_RESOURCES and name not in DEFAULT_SUB_RESOURCES, name

KEY_CHARS = list("abcdefxyzABCXYZ0189-_.~ +*!'();:@&=$,[]#?%") + list("中文目录测试é ü ß ñ 😀")
TEXT_CHARS = list("abcXYZ019 -_.~+/=&;,:*!'()%?#@$[]\"") + list("中文éü😀")
X_OSS_HEADERS = [
    ("x-oss-object-acl", ["private", "public-read", "default"]),
    ("x-oss-storage-class", ["Standard", "IA", "Archive"]),
    ("x-oss-server-side-encryption", ["AES256", "KMS", "SM4"]),
    ("x-oss-server-side-encryption-key-id", ["9468da86-3509-4f8d-a61e-6eab1eac****"]),
    ("x-oss-forbid-overwrite", ["true", "false"]),
    ("x-oss-tagging", ["a=b&c=d", "k=v"]),
    ("x-oss-copy-source", ["/srcbucket/src%20key.txt"]),
    ("X-Oss-Meta-Project", ["Demo", "项目 α"]),
    ("x-oss-meta-author", ["alice", "bob smith", "Zoë"]),
]
PLAIN_HEADERS = [
    ("Cache-Control", ["no-cache", "max-age=3600"]),
    ("Content-Disposition", ["attachment; filename=a.txt", "inline"]),
    ("Content-Encoding", ["gzip", "identity"]),
    ("Range", ["bytes=0-1023", "bytes=100-"]),
    ("If-Match", ['"5B3C1A2E053D763E1B002CC607C5A0FE"']),
    ("If-None-Match", ['"abc"']),
    ("Content-Language", ["zh-CN", "en"]),
]
CONTENT_TYPES = ["text/plain", "application/xml", "application/octet-stream", "image/jpeg",
                 "text/plain;charset=utf-8"]
TOKENS = ["CAISTESTsecurityToken+/abc==", "CAIS1234567890abcdefghijklmnopqrstuv/+==", "STS.tok en"]
REGIONS = ["cn-hangzhou", "ap-southeast-1", "us-west-1", "eu-central-1", "cn-beijing"]
METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]


# --------------------------------------------------------------------------------------------
# Random requests

def rand_text(rng, lo=1, hi=16, chars=TEXT_CHARS):
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def rand_value(rng, kind):
    if kind == "":
        return ""
    return {
        "id": lambda: "".join(rng.choice("0123456789ABCDEF") for _ in range(rng.randint(8, 32))),
        "num": lambda: str(rng.randint(1, 10000)),
        "text": lambda: rand_text(rng),
        "b64": lambda: base64.b64encode(rand_text(rng, 4, 30).encode()).decode(),
        "process": lambda: rng.choice(["image/resize,w_100", "image/resize,m_fixed,w_100,h_100/rotate,90",
                                       "video/snapshot,t_1000,f_jpg", "doc/preview"]),
        "payer": lambda: "requester",
        "ip": lambda: "192.168.0.%d" % rng.randint(1, 254),
        "delim": lambda: rng.choice(["/", "|", "%"]),
        "url": lambda: "url",
        "two": lambda: "2",
        "bool": lambda: rng.choice(["true", "false"]),
    }[kind]()


def rand_key(rng):
    segments = []
    for _ in range(rng.randint(1, 3)):
        segments.append("".join(rng.choice(KEY_CHARS) for _ in range(rng.randint(1, 12))))
    return "/".join(segments)


def rand_time(rng):
    fixed = [datetime.datetime(2024, 1, 15, 8, 30, 0, tzinfo=datetime.timezone.utc),
             datetime.datetime(2023, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)]
    if rng.random() < 0.3:
        return rng.choice(fixed)
    secs = rng.randint(1577836800, 1893456000)  # 2020..2030
    return datetime.datetime.fromtimestamp(secs, tz=datetime.timezone.utc)


def generate(rng, index):
    version = "v1" if index % 2 == 0 else "v4"
    mode = "header" if (index // 2) % 2 == 0 else "presign"
    r = {"version": version, "mode": mode, "method": rng.choice(METHODS)}
    level = rng.random()
    if mode == "header" and level < 0.05:
        r["bucket"], r["key"] = None, None           # service level (ListBuckets)
    elif level < 0.2:
        r["bucket"], r["key"] = "examplebucket", None  # bucket level
    else:
        r["bucket"], r["key"] = rng.choice(["examplebucket", "my-bucket-01"]), rand_key(rng)

    query, extras = {}, []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
        pool = rng.choice(["default", "operation", "x-oss", "plain", "plain"])
        name, kind = rng.choice({"default": DEFAULT_PARAMS, "operation": OPERATION_PARAMS,
                                 "x-oss": X_OSS_PARAMS, "plain": PLAIN_PARAMS}[pool])
        if name in query:
            continue
        query[name] = rand_value(rng, kind)
        if pool == "operation":
            extras.append(name)
    r["query"], r["extras"] = query, extras

    headers = {}
    if rng.random() < 0.5:
        headers["Content-Type"] = rng.choice(CONTENT_TYPES)
    if rng.random() < 0.3:
        headers["Content-MD5"] = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(16))).decode()
    for name, values in rng.sample(X_OSS_HEADERS, rng.randint(0, 3)):
        headers[name] = rng.choice(values)
    if rng.random() < 0.15:
        # Leading/trailing whitespace: trimmed by ossbridge (go2/java/cpp/js), not by the Python SDKs.
        headers["x-oss-meta-padded"] = rng.choice(["  padded value ", "\tx", "y  "])
    if rng.random() < 0.05:
        headers["x-oss-meta-empty"] = ""
    if version == "v1" and mode == "header" and rng.random() < 0.15:
        headers["x-oss-date"] = oss2.utils.http_date(rng.randint(1577836800, 1893456000))
    plain = rng.sample(PLAIN_HEADERS, rng.randint(0, 3))
    for name, values in plain:
        headers[name] = rng.choice(values)
    r["headers"] = headers

    r["token"] = rng.choice(TOKENS) if rng.random() < 0.35 else None
    r["time"] = rand_time(rng)
    if version == "v4":
        if rng.random() < 0.1:
            r["region"], r["product"] = "cb-123456", "oss-cloudbox"
            r["endpoint"] = "cb-123456.cn-hangzhou.oss-cloudbox.aliyuncs.com"
        else:
            r["region"], r["product"] = rng.choice(REGIONS), "oss"
            r["endpoint"] = "oss-%s.aliyuncs.com" % r["region"]
        additional = []
        if rng.random() < 0.5:
            candidates = [n for n, _ in plain] + ["content-type", "x-oss-meta-author", "Host"]
            if mode == "header":
                candidates.append("if-modified-since")  # never present: dropped (oss2 header form keeps it)
            additional = rng.sample(candidates, rng.randint(1, min(3, len(candidates))))
            if any(a.lower() == "host" for a in additional):
                headers["Host"] = (r["bucket"] + "." if r["bucket"] else "") + r["endpoint"]
        r["additional"] = additional
        r["expires"] = rng.choice([1, 60, 900, 3600, 86400, 604800, rng.randint(1, 604800)])
    else:
        r["endpoint"] = "oss-%s.aliyuncs.com" % rng.choice(REGIONS)
        r["additional"] = []
        r["expires_at"] = int(r["time"].timestamp()) + rng.randint(60, 30 * 86400)
    return r


# --------------------------------------------------------------------------------------------
# ossbridge (through `ossbridge sign --batch`, the command line's own code path)

def cli_fields(r):
    f = ["--signature-version", r["version"], "--method", r["method"], "--endpoint", r["endpoint"],
         "--access-key-id", ACCESS_KEY_ID, "--access-key-secret", ACCESS_KEY_SECRET, "--verbose",
         "--time", r["time"].strftime("%Y-%m-%dT%H:%M:%SZ")]
    if r["token"]:
        f += ["--security-token", r["token"]]
    if r["version"] == "v4":
        f += ["--region", r["region"], "--product", r["product"], "--expires", str(r["expires"])]
        if r["additional"]:
            f += ["--additional-headers", ",".join(r["additional"])]
    else:
        f += ["--expires-at", str(r["expires_at"])]
        for name in r["extras"]:
            f += ["--sub-resource", name]
    for name, value in r["headers"].items():
        f += ["--header", "%s: %s" % (name, value)]
    for name, value in r["query"].items():
        f += ["--query", "%s=%s" % (name, value) if value else name]
    if r["mode"] == "header":
        f.append("--auth-header")
    if r["bucket"]:
        f.append("oss://%s/%s" % (r["bucket"], r["key"] or ""))
    for field in f:
        assert "\x1f" not in field and "\n" not in field, field
    return "\x1f".join(f)


def run_ossbridge(binary, requests):
    proc = subprocess.run([binary, "sign", "--batch"], input="\n".join(cli_fields(r) for r in requests) + "\n",
                          capture_output=True, text=True, env={}, check=True)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(answers) == len(requests), (len(answers), len(requests), proc.stderr)
    results = []
    for r, a in zip(requests, answers):
        assert a["ok"], (r, a["stderr"])
        verbose = a["stderr"]
        before, sts = verbose.split("string to sign:\n", 1)
        canonical = before[len("canonical request:\n"):-1] if before else ""
        out = {"string_to_sign": sts[:-1], "canonical_request": canonical}
        if r["mode"] == "header":
            out["headers"] = dict(line.split(": ", 1) for line in a["stdout"].splitlines())
        else:
            out["url"] = a["stdout"].rstrip("\n")
        results.append(out)
    return results


# --------------------------------------------------------------------------------------------
# The official SDKs, signer classes called directly at the request's fixed time

def v2_url(r):
    options = types.SimpleNamespace(endpoint=urlparse("https://" + r["endpoint"]),
                                    address_style=v2_client.AddressStyle.Virtual)
    op_input = OperationInput(op_name="Diff", method=r["method"], bucket=r["bucket"], key=r["key"])
    url = v2_client._build_url(op_input, options)
    if r["query"]:
        url += "?" + urlencode(r["query"], quote_via=quote)
    return url


def sign_v2(r):
    request = HttpRequest(method=r["method"], url=v2_url(r), headers=dict(r["headers"]))
    ctx = SigningContext(product=r.get("product"), region=r.get("region"), bucket=r["bucket"], key=r["key"],
                         request=request,
                         credentials=oss_v2.credentials.Credentials(ACCESS_KEY_ID, ACCESS_KEY_SECRET, r["token"]),
                         signing_time=r["time"])
    if r["version"] == "v1":
        ctx.sub_resource = list(r["extras"])
        signer = SignerV1()
    else:
        ctx.additional_headers = set(r["additional"]) if r["additional"] else None
        signer = SignerV4()
    if r["mode"] == "presign":
        ctx.auth_method_query = True
        if r["version"] == "v1":
            ctx.expiration_time = datetime.datetime.fromtimestamp(r["expires_at"], tz=datetime.timezone.utc)
        else:
            ctx.expiration_time = r["time"] + datetime.timedelta(seconds=r["expires"])
    signer.sign(ctx)
    out = {"string_to_sign": ctx.string_to_sign}
    if r["mode"] == "header":
        out["headers"] = {k.lower(): v for k, v in request.headers.items()}
    else:
        out["url"] = request.url
    return out


class _FrozenClock:
    """Stands in for oss2.auth's `time` and `datetime` modules, and oss2.utils.http_date."""
    now = None

    @classmethod
    def time(cls):
        return cls.now.timestamp()

    @classmethod
    def utcnow(cls):
        return cls.now.replace(tzinfo=None)


oss2.auth.time = _FrozenClock
oss2.auth.datetime = _FrozenClock
oss2.utils.http_date = lambda timeval=None: oss2.utils.formatdate(
    _FrozenClock.now.timestamp() if timeval is None else timeval, usegmt=True)


def sign_oss2(r, slash_safe=True):
    _FrozenClock.now = r["time"]
    provider = StaticCredentialsProvider(ACCESS_KEY_ID, ACCESS_KEY_SECRET, r["token"] or "")
    url_maker = _UrlMaker("https://" + r["endpoint"], False, False)
    base = url_maker(r["bucket"] or "", r["key"] or "", slash_safe=slash_safe)
    if not r["bucket"]:
        base += "/"
    req = oss2.http.Request(r["method"], base, params=dict(r["query"]), headers=dict(r["headers"]),
                            region=r.get("region"), product=r.get("product"))
    bucket, key = r["bucket"] or "", r["key"] or ""
    if r["version"] == "v1":
        auth = oss2.auth.ProviderAuth(provider)
        if r["mode"] == "header":
            auth._sign_request(req, bucket, key)
            return {"headers": {k.lower(): v for k, v in req.headers.items()}}
        return {"url": auth._sign_url(req, bucket, key, r["expires_at"] - int(r["time"].timestamp()))}
    auth = oss2.auth.ProviderAuthV4(provider)
    additional = set(r["additional"]) if r["additional"] else None
    if r["mode"] == "header":
        auth._sign_request(req, bucket, key, additional)
        return {"headers": {k.lower(): v for k, v in req.headers.items()}}
    return {"url": auth._sign_url(req, bucket, key, r["expires"], additional)}


# --------------------------------------------------------------------------------------------
# Divergence models: what an SDK must produce, derived from ossbridge's strings

def hmac_sha1_b64(s):
    return base64.b64encode(hmac.new(ACCESS_KEY_SECRET.encode(), s.encode(), hashlib.sha1).digest()).decode()


def v4_signature(r, string_to_sign):
    key = ("aliyun_v4" + ACCESS_KEY_SECRET).encode()
    for part in (string_to_sign.split("\n")[1][:8], r["region"], r["product"], "aliyun_v4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def v4_sts_for(canonical, ours_sts):
    lines = ours_sts.split("\n")
    lines[3] = hashlib.sha256(canonical.encode()).hexdigest()
    return "\n".join(lines)


def v1_resource(r, signed, query):
    """The V1 CanonicalizedResource with `signed(name)` choosing the sub-resources."""
    resource = "/" + (r["bucket"] + "/" + (r["key"] or "") if r["bucket"] else "")
    subs = sorted((k, v) for k, v in query.items() if signed(k))
    if subs:
        resource += "?" + "&".join(k + "=" + v if v else k for k, v in subs)
    return resource


def untrim_headers(text, r, signed):
    """Puts back the whitespace ossbridge trimmed from signed header values (the Python SDKs
    sign values untrimmed, spec §5 item 13)."""
    changed = False
    for name, value in r["headers"].items():
        if value != value.strip() and signed(name.lower()):
            line = "\n%s:%s\n" % (name.lower(), value.strip())
            assert text.count(line) == 1, (line, text)
            text = text.replace(line, "\n%s:%s\n" % (name.lower(), value))
            changed = True
    return text, changed


def url_parts(url):
    base, _, query = url.partition("?")
    return base, sorted(p for p in query.split("&") if p)


def v4_default_signed(name):
    return name.startswith("x-oss-") or name in ("content-type", "content-md5")


class Checker:
    def __init__(self):
        self.identical = collections.Counter()      # (sdk, version, mode) -> byte-identical count
        self.divergences = collections.Counter()    # divergence name -> count (each asserted)
        self.failures = []

    def check(self, label, r, got, expected):
        if got != expected:
            self.failures.append((label, r, got, expected))
        return got == expected

    def compare(self, r, ours, v2_out, oss2_out, oss2_default_url):
        version, mode = r["version"], r["mode"]
        sts = ours["string_to_sign"]
        self.check_self_consistent(r, ours)
        if version == "v1":
            resource = sts.rsplit("\n", 1)[1]
            prefix = sts[: len(sts) - len(resource)]
            query = dict(r["query"])
            if mode == "presign" and r["token"]:
                query["security-token"] = r["token"]
            ours_signed = lambda k: k in DEFAULT_SUB_RESOURCES or k.startswith("x-oss-") or k in r["extras"]
            # Self-check of the model: it reproduces ossbridge's own resource exactly.
            self.check("model/v1-resource", r, v1_resource(r, ours_signed, query), resource)

            for sdk, signed in (("py2", lambda k: k in DEFAULT_SUB_RESOURCES or k in r["extras"]),
                                ("oss2", lambda k: k in OSS2_SUB_RESOURCES)):
                model = prefix + v1_resource(r, signed, query)
                kinds = []
                if model != sts:
                    kinds.append(sdk + ": V1 sub-resource set differs (py2: x-oss-* query not signed, spec §5.12; "
                                 "oss2: static list, §1.2)")
                if sdk == "py2" and mode == "header" and r["token"]:
                    line = "x-oss-security-token:%s\n" % r["token"]
                    assert line in model
                    model = model.replace(line, "")
                    kinds.append("py2: V1 STS token sent as unsigned 'security-token' header (§5.11)")
                model, untrimmed = untrim_headers(model, r, lambda n: n.startswith("x-oss-"))
                if untrimmed:
                    kinds.append(sdk + ": header values signed untrimmed (§5.13)")
                signature = hmac_sha1_b64(model)
                out = v2_out if sdk == "py2" else oss2_out
                if mode == "header":
                    expected = "OSS %s:%s" % (ACCESS_KEY_ID, signature)
                    ok = self.check(sdk + "/v1/header", r, out["headers"].get("authorization"), expected)
                    if sdk == "py2":
                        ok &= self.check("py2/v1/string_to_sign", r, out["string_to_sign"], model)
                else:
                    expected_url = self.expected_presign_url(ours["url"], "Signature", signature)
                    ok = self.check(sdk + "/v1/presign", r, url_parts(out["url"]), url_parts(expected_url))
                self.count(ok, sdk, r, kinds)
        else:
            canonical = ours["canonical_request"]
            # py2: identical except untrimmed header values.
            model, untrimmed = untrim_headers(canonical, r, lambda n: v4_default_signed(n) or n in
                                              [a.lower() for a in r["additional"]])
            kinds = ["py2: header values signed untrimmed (§5.13)"] if untrimmed else []
            model_sts = v4_sts_for(model, sts)
            signature = v4_signature(r, model_sts)
            if mode == "header":
                expected = ours["headers"]["Authorization"].rsplit("Signature=", 1)[0] + "Signature=" + signature
                ok = self.check("py2/v4/header", r, v2_out["headers"].get("authorization"), expected)
                ok &= self.check("py2/v4/string_to_sign", r, v2_out["string_to_sign"], model_sts)
            else:
                ok = self.check("py2/v4/presign", r, url_parts(v2_out["url"]),
                                url_parts(self.expected_presign_url(ours["url"], "x-oss-signature", signature)))
            self.count(ok, "py2", r, kinds)

            # oss2
            kinds = []
            model, untrimmed = untrim_headers(canonical, r, lambda n: v4_default_signed(n) or n in
                                              [a.lower() for a in r["additional"]])
            if untrimmed:
                kinds.append("oss2: header values signed untrimmed (§5.13)")
            if mode == "header":
                # oss2 keeps requested additional headers the request lacks (§5.15), sorts its
                # Authorization list by first character only, and uses ', ' with
                # AdditionalHeaders last (§2.7).
                requested = [a.lower() for a in r["additional"] if not v4_default_signed(a.lower())]
                lines = model.split("\n")
                if sorted(requested) != (lines[-2].split(";") if lines[-2] else []):
                    lines[-2] = ";".join(sorted(requested))
                    model = "\n".join(lines)
                    kinds.append("oss2: V4 header form keeps absent additional headers (§5.15)")
                signature = v4_signature(r, v4_sts_for(model, sts))
                credential = ours["headers"]["Authorization"].split("Credential=", 1)[1].split(",", 1)[0]
                expected = "OSS4-HMAC-SHA256 Credential=%s, Signature=%s" % (credential, signature)
                if requested:
                    # oss2 iterates the caller's set and sorts by first character only (auth.py
                    # l.625); the canonical line is fully sorted. Same set, same process: same order.
                    listed = [a.lower() for a in set(r["additional"]) if not v4_default_signed(a.lower())]
                    listed.sort(key=lambda x: x[0])
                    if listed != sorted(requested):
                        kinds.append("oss2: V4 Authorization AdditionalHeaders sorted by first character only (§5.15)")
                    expected += ", AdditionalHeaders=" + ";".join(listed)
                kinds.append("oss2: V4 Authorization layout ', ' with AdditionalHeaders last (§2.7)")
                ok = self.check("oss2/v4/header", r, oss2_out["headers"].get("authorization"), expected)
            else:
                signature = v4_signature(r, v4_sts_for(model, sts))
                ok = self.check("oss2/v4/presign", r, url_parts(oss2_out["url"]),
                                url_parts(self.expected_presign_url(ours["url"], "x-oss-signature", signature)))
            self.count(ok, "oss2", r, kinds)

        # oss2's default presigned URL encodes the key's '/' as %2F in the path (slash_safe=False);
        # OSS decodes the path, so the signature is the same (§5.4).
        if mode == "presign" and r["key"] and "/" in r["key"]:
            base, pairs = url_parts(ours["url"])
            host_part, _, path = base.partition("://")[2].partition("/")
            expected_base = base[: len(base) - len(path)] + path.replace("/", "%2F")
            ok = self.check("oss2/default-url", r, url_parts(oss2_default_url)[0], expected_base)
            self.check("oss2/default-url-query", r, url_parts(oss2_default_url)[1],
                       url_parts(oss2_out["url"])[1])
            if ok:
                self.divergences["oss2: default presigned URL path encodes '/' as %2F (§5.4)"] += 1

    def check_self_consistent(self, r, ours):
        """ossbridge's signature is the HMAC of the string to sign it printed (so the models
        below, which start from those strings, also pin ossbridge's own output)."""
        sts = ours["string_to_sign"]
        if r["version"] == "v1":
            signature = hmac_sha1_b64(sts)
            if r["mode"] == "header":
                self.check("ours/v1/header", r, ours["headers"]["Authorization"],
                           "OSS %s:%s" % (ACCESS_KEY_ID, signature))
            else:
                self.check("ours/v1/presign", r, ours["url"],
                           self.expected_presign_url(ours["url"], "Signature", signature))
        else:
            self.check("ours/v4/sts", r, sts, v4_sts_for(ours["canonical_request"], sts))
            signature = v4_signature(r, sts)
            if r["mode"] == "header":
                self.check("ours/v4/header", r, ours["headers"]["Authorization"].rsplit(",Signature=", 1)[1],
                           signature)
            else:
                self.check("ours/v4/presign", r, ours["url"],
                           self.expected_presign_url(ours["url"], "x-oss-signature", signature))

    @staticmethod
    def expected_presign_url(our_url, signature_param, signature):
        base, _, query = our_url.partition("?")
        pairs = [p for p in query.split("&") if not p.startswith(signature_param + "=")]
        pairs.append(signature_param + "=" + quote(signature, safe=""))
        return base + "?" + "&".join(pairs)

    def count(self, ok, sdk, r, kinds):
        if not ok:
            return
        if kinds:
            for kind in kinds:
                self.divergences[kind] += 1
        else:
            self.identical[(sdk, r["version"], r["mode"])] += 1


EXPECTED_DIVERGENCES = [
    "py2: V1 sub-resource set differs (py2: x-oss-* query not signed, spec §5.12; oss2: static list, §1.2)",
    "oss2: V1 sub-resource set differs (py2: x-oss-* query not signed, spec §5.12; oss2: static list, §1.2)",
    "py2: V1 STS token sent as unsigned 'security-token' header (§5.11)",
    "py2: header values signed untrimmed (§5.13)",
    "oss2: header values signed untrimmed (§5.13)",
    "oss2: V4 header form keeps absent additional headers (§5.15)",
    "oss2: V4 Authorization layout ', ' with AdditionalHeaders last (§2.7)",
    "oss2: V4 Authorization AdditionalHeaders sorted by first character only (§5.15)",
    "oss2: default presigned URL path encodes '/' as %2F (§5.4)",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--count", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=20240115)
    args = parser.parse_args()

    # The default sub-resource sets agree where the spec says they do.
    assert set(SignerV1._subresource_key_set) == DEFAULT_SUB_RESOURCES, \
        set(SignerV1._subresource_key_set) ^ DEFAULT_SUB_RESOURCES

    started = time_module.time()
    rng = random.Random(args.seed)
    requests = [generate(rng, i) for i in range(args.count)]
    ours = run_ossbridge(args.bin, requests)
    checker = Checker()
    for r, o in zip(requests, ours):
        oss2_default_url = sign_oss2(r, slash_safe=False)["url"] if r["mode"] == "presign" else None
        checker.compare(r, o, sign_v2(r), sign_oss2(r), oss2_default_url)

    for label, r, got, expected in checker.failures[:5]:
        print("MISMATCH %s\n  request:  %r\n  got:      %r\n  expected: %r" % (label, r, got, expected))
    print("differential signing: %d requests (seed %d) in %.1fs" % (args.count, args.seed, time_module.time() - started))
    print("%-6s %-3s %-8s %s" % ("sdk", "ver", "mode", "byte-identical"))
    for key in sorted(checker.identical):
        print("%-6s %-3s %-8s %d" % (key + (checker.identical[key],)))
    print("known divergences (each case: the SDK's output equals ossbridge's with the divergence applied):")
    for kind in EXPECTED_DIVERGENCES:
        print("  %5d  %s" % (checker.divergences[kind], kind))
    unexpected = set(checker.divergences) - set(EXPECTED_DIVERGENCES)
    missing = [k for k in EXPECTED_DIVERGENCES if checker.divergences[k] == 0]
    ok = not checker.failures and not unexpected and not missing
    if missing:
        print("FAIL: divergence never exercised: %s" % missing)
    if checker.failures:
        print("FAIL: %d mismatches" % len(checker.failures))
    identical_total = sum(checker.identical.values())
    print("%s: %d byte-identical comparisons, %d divergent ones matching their model"
          % ("OK" if ok else "FAILED", identical_total, sum(checker.divergences.values())))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
