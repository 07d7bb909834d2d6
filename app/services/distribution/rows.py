"""Validation of student distribution rows (cohorts), shared by JSON and file uploads.

Every row is checked and every problem kept with its 1-based row number, so that a
college fixes its spreadsheet in one pass.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.i18n import Text, t
from app.models import District, Major
from app.models.enums import MajorKind, MajorLevel
from app.services import labels
from app.services.distribution.periods import Period

FIELDS = (
    "major_code",
    "level",
    "enrollment_year",
    "graduation_year",
    "headcount",
    "graduating_headcount",
    "district_code",
)
REQUIRED = FIELDS[:5]
# The template's Chinese column names; uploads may use these or the field names.
CHINESE_HEADERS = {
    "major_code": "专业代码",
    "level": "层次",
    "enrollment_year": "入学年份",
    "graduation_year": "毕业年份",
    "headcount": "在校生人数",
    "graduating_headcount": "应届毕业生人数",
    "district_code": "所在区县代码",
}
# Columns people keep next to the data for their own reading; accepted and not imported.
IGNORED_HEADERS = {"major_name", "专业名称", "note", "备注"}
LEVEL_NAMES: dict[str, MajorLevel] = {
    **{level.value: level for level in MajorLevel},
    "中职": MajorLevel.secondary,
    "中等职业教育": MajorLevel.secondary,
    "高职": MajorLevel.higher,
    "专科": MajorLevel.higher,
    "高职专科": MajorLevel.higher,
    "高等职业教育专科": MajorLevel.higher,
    "职业本科": MajorLevel.undergraduate,
    "本科": MajorLevel.undergraduate,
    "高等职业教育本科": MajorLevel.undergraduate,
}
# Category numbers per level: 21–39 undergraduate, 41–59 higher, 61–79 secondary.
CODE_RANGES = {
    MajorLevel.undergraduate: range(21, 40),
    MajorLevel.higher: range(41, 60),
    MajorLevel.secondary: range(61, 80),
}
# Regular length of study; a cohort may take one year less or two more (part-time, 3+2, ...).
DURATION = {MajorLevel.secondary: 3, MajorLevel.higher: 3, MajorLevel.undergraduate: 4}
MAX_HEADCOUNT = 100_000
# A clean row, in `FIELDS` order: major, level (its value), enrolment and graduation year,
# headcount, graduating headcount, district.
Cohort = tuple[str, str, int, int, int, int, str]


def whole_number(value: Any) -> int | None:
    """An int from JSON, Excel (30.0) or text (" 30 "); None when it is not a whole number."""
    kind = type(value)
    if kind is int:  # the common cases first (bool is an int, and refused below)
        return value
    if kind is str and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def code_text(value: Any) -> str:
    """A code cell as text: Excel stores 460103 as a number, sometimes as 460103.0."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class RowChecker:
    """Checks cohorts one at a time; `errors` collects every problem with its row number."""

    def __init__(
        self,
        session: Session,
        period: Period,
        default_district: str | None,
        *,
        loc: tuple[str | int, ...],
        max_errors: int,
    ) -> None:
        self.majors: dict[str, MajorLevel] = {
            code: level
            for code, level in session.execute(
                select(Major.code, Major.level).where(Major.kind == MajorKind.major)
            )
        }
        self.districts = set(session.scalars(select(District.code)))
        self.period = period
        self.label = period.label
        self.default_district = default_district
        self.loc = loc
        self.max_errors = max_errors
        self.errors: list[dict[str, Any]] = []
        self.error_count = 0
        self.failed_rows = 0
        self.seen: dict[tuple[str, str, int], int] = {}
        self.headcount = 0
        self.graduating_headcount = 0
        # Students are in school during the period: the latest intake is the September
        # inside it, and cohorts that graduated (in June) before it ended are gone.
        second_half = period.start.month > 6
        self.latest_enrollment = period.start.year if second_half else period.start.year - 1
        self.earliest_graduation = period.start.year + (1 if second_half else 0)

    def fail(self, row: int, field: str, msg: Text, type_: str = "value_error") -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            loc = [*self.loc, row - 1, field] if self.loc[:1] == ("body",) else [*self.loc, field]
            self.errors.append({"loc": loc, "msg": msg, "type": type_, "row": row})

    def check(self, row: int, raw: Mapping[str, Any]) -> Cohort | None:
        """The clean cohort, or None after recording why the row is not valid."""
        before = self.error_count
        for field in REQUIRED:
            value = raw.get(field)
            if value is None or value == "":
                self.fail(
                    row,
                    field,
                    t(f"{CHINESE_HEADERS[field]}为必填项。", f"{field} is required."),
                    "missing",
                )
        if self.error_count > before:
            self.failed_rows += 1
            return None
        major_code, level = self._major(row, raw)
        years = self._years(row, raw, level)
        if level is not None and years is not None:
            self._once(row, (major_code, level.value, years[0]))
        counts = self._counts(row, raw)
        district = code_text(raw.get("district_code")) or self.default_district
        if not district:
            self.fail(
                row,
                "district_code",
                t(
                    "须填写所在区县代码：学校没有登记区县。",
                    "district_code is required: the college has none.",
                ),
            )
        elif district not in self.districts:
            self.fail(
                row,
                "district_code",
                t(f"未知的区县代码 {district!r}。", f"Unknown district code {district!r}."),
            )
        if (
            self.error_count > before
            or level is None
            or years is None
            or counts is None
            or district is None
        ):
            self.failed_rows += 1
            return None
        self.headcount += counts[0]
        self.graduating_headcount += counts[1]
        return (major_code, level.value, *years, *counts, district)

    def _once(self, row: int, cohort: tuple[str, str, int]) -> None:
        """No two rows for the same major, level and enrolment year."""
        if first := self.seen.get(cohort):
            self.fail(
                row,
                "enrollment_year",
                t(
                    f"与第 {first} 行的专业、层次和入学年份重复。",
                    f"Repeats the cohort of row {first}.",
                ),
                "duplicate",
            )
        else:
            self.seen[cohort] = row

    def _major(self, row: int, raw: Mapping[str, Any]) -> tuple[str, MajorLevel | None]:
        code = code_text(raw["major_code"])
        level = LEVEL_NAMES.get(str(raw["level"]).strip())
        if level is None:
            names = ", ".join(m.value for m in MajorLevel)
            given = raw["level"]
            self.fail(
                row,
                "level",
                t(
                    f"层次应为 {labels.names(labels.LEVEL, MajorLevel)}"
                    f"（或 {'、'.join(m.value for m in MajorLevel)}），不能是 {given!r}。",
                    f"Level must be one of {names}, not {given!r}.",
                ),
            )
        catalogued = self.majors.get(code)
        if catalogued is None:
            self.fail(
                row,
                "major_code",
                t(
                    f"{code!r} 不是专业目录中的专业代码。",
                    f"{code!r} is not a major code of the catalogue.",
                ),
            )
        elif level is not None and catalogued != level:
            first, last = CODE_RANGES[level][0], CODE_RANGES[level][-1]
            self.fail(
                row,
                "major_code",
                t(
                    f"专业 {code} 属于{labels.LEVEL[catalogued]}专业；"
                    f"{labels.LEVEL[level]}专业代码以 {first}–{last} 开头。",
                    f"Major {code} is a {catalogued.value} major; {level.value} codes start "
                    f"with {first}–{last}.",
                ),
            )
        return code, level

    def _years(
        self, row: int, raw: Mapping[str, Any], level: MajorLevel | None
    ) -> tuple[int, int] | None:
        enrolled = whole_number(raw["enrollment_year"])
        graduates = whole_number(raw["graduation_year"])
        label = self.label
        if enrolled is None:
            self.fail(
                row,
                "enrollment_year",
                t("入学年份应为年份。", "enrollment_year must be a year."),
            )
        elif enrolled > self.latest_enrollment:
            latest = self.latest_enrollment
            self.fail(
                row,
                "enrollment_year",
                t(
                    f"{label} 在校的年级，入学年份应不晚于 {latest} 年。",
                    f"A cohort in school in {label} enrolled in {latest} or earlier.",
                ),
            )
        if graduates is None:
            self.fail(
                row,
                "graduation_year",
                t("毕业年份应为年份。", "graduation_year must be a year."),
            )
        elif graduates < self.earliest_graduation:
            earliest = self.earliest_graduation
            self.fail(
                row,
                "graduation_year",
                t(
                    f"{label} 在校的年级，毕业年份应不早于 {earliest} 年。",
                    f"A cohort in school in {label} graduates in {earliest} or later.",
                ),
            )
        if enrolled is None or graduates is None or level is None:
            return None
        regular = DURATION[level]
        if not regular - 1 <= graduates - enrolled <= regular + 2:
            shortest, longest, years = regular - 1, regular + 2, graduates - enrolled
            self.fail(
                row,
                "graduation_year",
                t(
                    f"{labels.LEVEL[level]}学制为 {shortest}–{longest} 年，不能是 {years} 年。",
                    f"{level.value} studies last {shortest}–{longest} years, not {years}.",
                ),
            )
            return None
        return enrolled, graduates

    def _counts(self, row: int, raw: Mapping[str, Any]) -> tuple[int, int] | None:
        headcount = whole_number(raw["headcount"])
        given = raw.get("graduating_headcount")
        graduating = headcount if given is None or given == "" else whole_number(given)
        for field, value in (("headcount", headcount), ("graduating_headcount", graduating)):
            name = CHINESE_HEADERS[field]
            if value is None:
                self.fail(row, field, t(f"{name}应为整数。", f"{field} must be a whole number."))
            elif not 0 <= value <= MAX_HEADCOUNT:
                self.fail(
                    row,
                    field,
                    t(
                        f"{name}应在 0 到 {MAX_HEADCOUNT} 之间。",
                        f"{field} must be between 0 and {MAX_HEADCOUNT}.",
                    ),
                )
        if headcount is None or graduating is None:
            return None
        if graduating > headcount:
            self.fail(
                row,
                "graduating_headcount",
                t(
                    "应届毕业生人数不能超过在校生人数。",
                    "graduating_headcount cannot exceed headcount.",
                ),
            )
            return None
        return headcount, graduating
