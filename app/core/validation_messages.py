"""Pydantic's validation messages in Chinese, keyed by the error `type` (a machine key).

English is pydantic's own message. A validator of ours raises `ValueError(t(zh, en))`
(or `PydanticCustomError` with a type listed here) and its message is rendered as is;
a third party's plain `ValueError` (e.g. `EmailStr`'s) reads "取值无效：" and its own text.
Every error type pydantic-core defines has a template (tests/test_i18n.py checks it).
"""

from typing import Any

from app.core.i18n import Text, t

# Chinese templates; `{name}` is filled from the error's `ctx`.
ZH: dict[str, str] = {
    # Fields and objects
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "frozen_field": "该字段不可修改",
    "frozen_instance": "该对象不可修改",
    "no_such_attribute": "没有属性 {attribute}",
    "get_attribute_error": "读取属性出错：{error}",
    "invalid_key": "键应为字符串",
    "dict_type": "应为对象",
    "frozen_dict_type": "应为对象",
    "ordered_dict_type": "应为对象",
    "counter_type": "应为对象",
    "mapping_type": "应为对象：{error}",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "dataclass_exact_type": "应为 {class_name} 对象",
    "named_tuple_type": "应为 {class_name}",
    "is_instance_of": "应为 {class} 的实例",
    "is_subclass_of": "应为 {class} 的子类",
    "callable_type": "应为可调用对象",
    "none_required": "应为 null",
    "default_factory_not_called": "其他字段有误，无法生成默认值",
    "needs_python_object": "无法从 JSON 取得该值",
    "recursion_loop": "数据中存在循环引用",
    "recursion_depth_exceeded": "数据嵌套层级过深",
    "missing_sentinel_error": "取值无效",
    "ellipsis_error": "取值无效",
    # Strings
    "string_type": "应为字符串",
    "string_unicode": "应为有效的 Unicode 字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求：{pattern}",
    "string_not_ascii": "只能包含 ASCII 字符",
    "bytes_type": "应为字节串",
    "bytes_too_short": "至少 {min_length} 个字节",
    "bytes_too_long": "至多 {max_length} 个字节",
    "bytes_invalid_encoding": "不是有效的 {encoding} 编码数据",
    # Numbers
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数过大，无法解析",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "至多 {max_digits} 位数字",
    "decimal_max_places": "至多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分至多 {whole_digits} 位",
    "fraction_type": "应为分数",
    "fraction_parsing": "应为分数",
    "complex_type": "应为复数",
    "complex_str_parsing": "应为复数",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true 或 false）",
    # Collections
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "deque_type": "应为列表",
    "set_type": "应为集合",
    "frozen_set_type": "应为集合",
    "set_item_not_hashable": "集合的元素应为可比较的值",
    "iterable_type": "应为列表",
    "iteration_error": "读取列表出错：{error}",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    # Choices
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "union_tag_invalid": "类型标记 {tag} 无效，应为以下之一：{expected_tags}",
    "union_tag_not_found": "缺少类型标记字段 {discriminator}",
    # Dates and times
    "date_type": "应为日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "time_type": "应为时刻",
    "time_parsing": "应为 HH:MM[:SS] 格式的时刻",
    "datetime_type": "应为时间",
    "datetime_parsing": "应为 RFC 3339 格式的时间",
    "datetime_object_invalid": "时间无效",
    "datetime_from_date_parsing": "应为 RFC 3339 格式的时间",
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_naive": "时间不应带时区",
    "timezone_aware": "时间应带时区",
    "timezone_offset": "时区偏移应为 {tz_expected} 秒",
    "time_delta_type": "应为时长",
    "time_delta_parsing": "应为有效的时长",
    # JSON, URLs, UUIDs
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON",
    "url_type": "应为网址",
    "url_parsing": "应为有效的网址",
    "url_syntax_violation": "网址格式有误",
    "url_too_long": "网址至多 {max_length} 个字符",
    "url_scheme": "网址协议应为：{expected_schemes}",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "uuid_version": "应为第 {expected_version} 版 UUID",
    # Validators' own errors: a `Text` is rendered as is (see `validation_message`).
    "value_error": "取值无效",
    "assertion_error": "取值无效",
    # Ours (`schemas.common.UpdateSchema`): a PATCH's null for a field that cannot be cleared
    "null_not_allowed": "不能为 null：该字段不能清空（不修改请省略该字段）",
    # Function arguments (not used by request bodies, listed for completeness)
    "arguments_type": "参数应为列表或对象",
    "missing_argument": "缺少必填参数",
    "unexpected_keyword_argument": "不允许的参数",
    "missing_keyword_only_argument": "缺少必填参数",
    "unexpected_positional_argument": "不允许的参数",
    "missing_positional_only_argument": "缺少必填参数",
    "multiple_argument_values": "参数重复",
}

# Types whose `ctx["error"]` is a validator's exception: its message follows the template.
_EXCEPTION_TYPES = {"value_error", "assertion_error"}
_EMAIL = "value is not a valid email address"


def _zh_choices(value: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as Chinese lists it: 'a'、'b' 或 'c'."""
    return value.replace(", ", "、").replace(" or ", " 或 ")


def validation_message(error: dict[str, Any]) -> Text | str:
    """The message of one pydantic error, in both languages where we have them."""
    ctx = dict(error.get("ctx") or {})
    type_ = str(error.get("type", ""))
    english = str(error.get("msg", ""))
    cause = ctx.get("error")
    if isinstance(cause, Exception) and cause.args and isinstance(cause.args[0], Text):
        return cause.args[0]
    template = ZH.get(type_)
    if template is None:
        return t("取值无效：" + english, english)
    if type_ in _EXCEPTION_TYPES:
        # A third party's message (EmailStr, ...): ours are all `Text`.
        if english.startswith(_EMAIL) and ctx.get("reason"):
            return t(f"不是有效的电子邮箱地址：{ctx['reason']}", english)
        reason = str(cause).strip() if cause is not None else ""
        return t(f"{template}：{reason or english}", english)
    for key in ("expected", "expected_tags", "expected_schemes"):
        if isinstance(ctx.get(key), str):
            ctx[key] = _zh_choices(ctx[key])
    try:
        return t(template.format(**ctx), english)
    except (KeyError, IndexError, ValueError):
        return t(template.split("{")[0].rstrip("：: "), english)
