"""Constants and plain models."""

from __future__ import annotations

import ossbridge
from ossbridge.models import CaseInsensitiveDict, ServerSideEncryptionRule


def test_sse_constants_match_oss2() -> None:
    assert ossbridge.SERVER_SIDE_ENCRYPTION_AES256 == "AES256"
    assert ossbridge.SERVER_SIDE_ENCRYPTION_KMS == "KMS"
    assert ossbridge.SERVER_SIDE_ENCRYPTION_SM4 == "SM4"
    assert ossbridge.KMS_DATA_ENCRYPTION_SM4 == "SM4"
    assert ossbridge.models.SERVER_SIDE_ENCRYPTION_KMS == "KMS"


def test_rule_is_built_like_the_guide_does() -> None:
    rule = ServerSideEncryptionRule()
    rule.sse_algorithm = ossbridge.SERVER_SIDE_ENCRYPTION_AES256
    rule.kms_master_keyid = ""
    assert (rule.sse_algorithm, rule.kms_master_keyid, rule.kms_data_encryption) == ("AES256", "", None)


def test_header_dict_is_case_insensitive() -> None:
    headers = CaseInsensitiveDict([("X-Oss-Request-Id", "1"), ("ETag", '"abc"')])
    assert headers["x-oss-request-id"] == "1" and "etag" in headers
    assert list(headers) == ["X-Oss-Request-Id", "ETag"]
    assert headers == {"x-oss-request-id": "1", "etag": '"abc"'}
