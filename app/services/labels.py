"""Chinese names of the vocabularies that messages mention (the values stay machine keys)."""

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from app.models.enums import (
    DemandStatus,
    Department,
    FeedStatus,
    MajorLevel,
    OrgType,
    ResponseStatus,
)

DEPARTMENT: dict[Department, str] = {
    Department.education: "教育局",
    Department.hr: "人社局",
    Department.tech: "科技局",
    Department.industry: "工信局",
    Department.finance: "财政局",
    Department.development: "发改委",
    Department.other: "其他部门",
}
ORG_TYPE: dict[OrgType, str] = {
    OrgType.government: "政府部门",
    OrgType.enterprise: "企业",
    OrgType.college: "院校",
    OrgType.training_institution: "培训机构",
}
FEED_STATUS: dict[FeedStatus, str] = {
    FeedStatus.draft: "草稿",
    FeedStatus.published: "已发布",
    FeedStatus.withdrawn: "已撤回",
}
DEMAND_STATUS: dict[DemandStatus, str] = {
    DemandStatus.draft: "草稿",
    DemandStatus.open: "开放中",
    DemandStatus.paused: "已暂停",
    DemandStatus.closed: "已关闭",
}
RESPONSE_STATUS: dict[ResponseStatus, str] = {
    ResponseStatus.pending: "待答复",
    ResponseStatus.accepted: "已接受",
    ResponseStatus.declined: "已拒绝",
}
LEVEL: dict[MajorLevel, str] = {
    MajorLevel.secondary: "中职",
    MajorLevel.higher: "高职专科",
    MajorLevel.undergraduate: "职业本科",
}


def names(table: Mapping[Any, str], values: Iterable[StrEnum]) -> str:
    """The Chinese names of `values`, listed the Chinese way (顿号)."""
    return "、".join(table.get(v, v.value) for v in values)
