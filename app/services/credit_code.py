"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation category (1),
administrative division (6), organisation code (9, with its own GB 11714
check digit at position 17) and the GB 32100 check digit (position 18).
"""

from app.core.i18n import Text, t

# GB 32100 alphabet: digits and capital letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def gb11714_check_digit(body: str) -> str:
    """Check character of an 8-character organisation code body (digits and capitals)."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def gb32100_check_digit(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> Text | None:
    """Why `code` is not a valid unified social credit code, or None when it is."""
    if len(code) != 18:
        return t("统一社会信用代码须为18位。", "The credit code must be 18 characters.")
    if any(c not in _VALUE for c in code):
        return t(
            "统一社会信用代码含非法字符（只能用数字和除 I、O、Z、S、V 以外的大写字母）。",
            "The credit code may hold only digits and capitals except I, O, Z, S, V.",
        )
    if not code[2:8].isdigit():
        return t(
            "统一社会信用代码第3–8位须为行政区划代码。",
            "Positions 3-8 of the credit code must be a division code.",
        )
    org_code = code[8:17]
    if not org_code[:8].isalnum() or gb11714_check_digit(org_code[:8]) != org_code[8]:
        return t(
            "组织机构代码校验位错误（GB 11714）。",
            "The organisation code's check digit is wrong (GB 11714).",
        )
    if gb32100_check_digit(code[:17]) != code[17]:
        return t(
            "统一社会信用代码校验位错误（GB 32100）。",
            "The credit code's check digit is wrong (GB 32100).",
        )
    return None


def make_credit_code(authority_category: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (used by the demo data and tests)."""
    org_code = org_body + gb11714_check_digit(org_body)
    first17 = authority_category + division + org_code
    return first17 + gb32100_check_digit(first17)
