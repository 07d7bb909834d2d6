"""Messages read in Chinese by default and in English on request; machine keys never change."""

import pytest

from app.core.i18n import negotiate
from tests.factories import assert_problem


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR, en;q=0.5", "en"),
        ("fr, de", "zh"),
        ("en;q=0.3, zh-TW;q=0.7", "zh"),
        ("zh;q=0.2, en;q=0.9", "en"),
        ("en;q=0, zh;q=0.1", "zh"),
        ("en;q=abc", "zh"),
        ("*", "zh"),
    ],
)
def test_negotiate(header, expected):
    assert negotiate(header) == expected


def test_problems_are_chinese_by_default(client):
    response = client.get("/api/v1/nowhere")
    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "未找到" and body["detail"] == "没有这个地址。"
    assert response.headers["content-language"] == "zh-CN"


def test_problems_in_english_on_request(client):
    response = client.get("/api/v1/nowhere", headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "Not Found" and body["type"] == "/problems/not_found"
    assert response.headers["content-language"] == "en"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_validation_messages_follow_the_language_and_keys_do_not(client, language):
    response = client.post(
        "/api/v1/registrations", json={"organization": {}}, headers={"Accept-Language": language}
    )
    body = assert_problem(response, 422, "validation_error")
    missing = next(e for e in body["errors"] if e["loc"] == ["body", "user"])
    assert missing["type"] == "missing"
    assert missing["msg"] == ("缺少必填字段" if language == "zh-CN" else "Field required")
