"""Pydantic's validation messages in Chinese, keyed by the error `type` (a machine key).

English is pydantic's own message. A validator of ours raises `ValueError(t(zh, en))`
(or `PydanticCustomError` with a type listed here) and its message is rendered as is.
"""

from typing import Any

from app.core.i18n import Text, t

# Chinese templates; `{name}` is filled from the error's `ctx`.
ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求：{pattern}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true 或 false）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "list_type": "应为列表",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "date_type": "应为日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "datetime_type": "应为时间",
    "datetime_parsing": "应为 RFC 3339 格式的时间",
    "datetime_from_date_parsing": "应为 RFC 3339 格式的时间",
    "timezone_aware": "时间应带时区",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON",
    "url_parsing": "应为有效的网址",
    "url_type": "应为网址",
    "url_scheme": "网址协议应为：{expected_schemes}",
    "value_error": "取值无效",
    "uuid_parsing": "应为 UUID",
    "decimal_parsing": "应为数字",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "set_type": "应为集合",
    "frozen_set_type": "应为集合",
    "union_tag_invalid": "类型标记无效",
}


def validation_message(error: dict[str, Any]) -> Text | str:
    """The message of one pydantic error, in both languages where we have them."""
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, Exception) and cause.args and isinstance(cause.args[0], Text):
        return cause.args[0]
    english = str(error.get("msg", ""))
    template = ZH.get(str(error.get("type", "")))
    if template is None:
        return english
    try:
        return t(template.format(**ctx), english)
    except (KeyError, IndexError, ValueError):
        return t(template.split("{")[0].rstrip("：: "), english)
