#!/usr/bin/env python3
"""Signatures per second of oss2 2.19.1 and alibabacloud-oss-v2 1.4.1 signers on the same
request as core/benches/signing.rs, printed as a table next to ossbridge's criterion results.

Usage: sign_oss2.py [--criterion target/criterion] [--seconds 1.5]
Each Python figure includes building the SDK's request object, which every real call does too.
"""

import argparse
import datetime
import json
import os
import time

import oss2
import oss2.auth
import oss2.http
from oss2.credentials import StaticCredentialsProvider

import alibabacloud_oss_v2 as oss_v2
from alibabacloud_oss_v2.signer.v1 import SignerV1
from alibabacloud_oss_v2.signer.v4 import SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

AK, SK, TOKEN = "LTAI5tTESTACCESSKEYID", "TESTACCESSKEYSECRET0123456789ab", "CAISTESTsecurityToken+/abc=="
BUCKET, KEY = "examplebucket", "中文目录/测试 文件+1.txt"
HEADERS = {"Content-Type": "text/plain", "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww==",
           "x-oss-meta-author": "alice", "x-oss-object-acl": "private"}
URL = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/%E4%B8%AD%E6%96%87%E7%9B%AE%E5%BD%95/" \
      "%E6%B5%8B%E8%AF%95%20%E6%96%87%E4%BB%B6%2B1.txt"
NOW = datetime.datetime(2024, 1, 15, 8, 30, tzinfo=datetime.timezone.utc)


def oss2_case(version, presign):
    provider = StaticCredentialsProvider(AK, SK, TOKEN)
    auth = oss2.auth.ProviderAuth(provider) if version == "v1" else oss2.auth.ProviderAuthV4(provider)

    def run():
        req = oss2.http.Request("PUT", URL, headers=dict(HEADERS), region="cn-hangzhou", product="oss")
        if presign:
            auth._sign_url(req, BUCKET, KEY, 3600)
        else:
            auth._sign_request(req, BUCKET, KEY)
    return run


def v2_case(version, presign):
    signer = SignerV1() if version == "v1" else SignerV4()
    creds = oss_v2.credentials.Credentials(AK, SK, TOKEN)

    def run():
        request = HttpRequest(method="PUT", url=URL, headers=dict(HEADERS))
        ctx = SigningContext(product="oss", region="cn-hangzhou", bucket=BUCKET, key=KEY, request=request,
                             credentials=creds, signing_time=NOW)
        if presign:
            ctx.auth_method_query = True
            ctx.expiration_time = NOW + datetime.timedelta(seconds=3600)
        signer.sign(ctx)
    return run


def per_second(fn, seconds):
    for _ in range(200):
        fn()
    count, start = 0, time.perf_counter()
    while True:
        for _ in range(200):
            fn()
        count += 200
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def criterion_rate(root, name):
    path = os.path.join(root, "signing", name, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return 1e9 / json.load(f)["median"]["point_estimate"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--criterion", default=None, help="criterion output dir (target/criterion)")
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()
    cases = [("v1", False, "V1 header"), ("v4", False, "V4 header"),
             ("v1", True, "V1 presign"), ("v4", True, "V4 presign")]
    print("%-11s %14s %14s %20s %10s" % ("signature", "ossbridge /s", "oss2 /s", "alibabacloud-oss-v2 /s",
                                           "vs oss2"))
    for version, presign, label in cases:
        ours = criterion_rate(args.criterion, "%s_%s" % (version, "presign" if presign else "header")) \
            if args.criterion else None
        theirs_oss2 = per_second(oss2_case(version, presign), args.seconds)
        theirs_v2 = per_second(v2_case(version, presign), args.seconds)
        ratio = "%.0fx" % (ours / theirs_oss2) if ours else "-"
        print("%-11s %14s %14.0f %20.0f %10s" % (label, "%.0f" % ours if ours else "-", theirs_oss2, theirs_v2,
                                                  ratio))


if __name__ == "__main__":
    main()
