"""Reference data: shipped with the code and loaded by `python -m app migrate`."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum
from app.models.enums import IndustryLevel, MajorKind, MajorLevel


class Major(Base):
    """A node of the vocational major catalogue: 2-digit category, 4-digit class, 6-digit major."""

    __tablename__ = "majors"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[MajorKind] = mapped_column(str_enum(MajorKind, "kind"))
    level: Mapped[MajorLevel] = mapped_column(str_enum(MajorLevel, "level"), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(8))
    category_code: Mapped[str] = mapped_column(String(2))
    class_code: Mapped[str | None] = mapped_column(String(4))
    state_controlled: Mapped[bool] = mapped_column(default=False)
    catalog: Mapped[str] = mapped_column(String(16))  # "2021" or "2022-2025" (later additions)
    note: Mapped[str | None] = mapped_column(String(200))


class Industry(Base):
    """GB/T 4754-2017 national economic industry classification."""

    __tablename__ = "industries"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[IndustryLevel] = mapped_column(str_enum(IndustryLevel, "level"), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(5))
    section: Mapped[str] = mapped_column(String(1))
    description: Mapped[str | None] = mapped_column(Text)


class District(Base):
    """Weihai's divisions and development zones (NBS statistical codes, plus custom zones)."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(12))
    code_type: Mapped[str] = mapped_column(String(60))


class Cluster(Base):
    """One of Weihai's seven industry clusters."""

    __tablename__ = "clusters"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source_note: Mapped[str | None] = mapped_column(Text)


class ClusterMajorClass(Base):
    """A major class (4-digit) whose graduates a cluster draws on."""

    __tablename__ = "cluster_major_classes"

    cluster_code: Mapped[str] = mapped_column(
        ForeignKey("clusters.code", ondelete="CASCADE"), primary_key=True
    )
    class_code: Mapped[str] = mapped_column(
        ForeignKey("majors.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    rationale: Mapped[str | None] = mapped_column(String(200))


class ClusterIndustry(Base):
    """A GB/T 4754 division whose enterprises make up a cluster."""

    __tablename__ = "cluster_industries"

    cluster_code: Mapped[str] = mapped_column(
        ForeignKey("clusters.code", ondelete="CASCADE"), primary_key=True
    )
    industry_code: Mapped[str] = mapped_column(
        ForeignKey("industries.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    rationale: Mapped[str | None] = mapped_column(String(200))


class Certificate(Base):
    """A 1+X vocational skill certificate (partial list: batches 1 and 2)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[int]
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    organization: Mapped[str] = mapped_column(String(300))


class Occupation(Base):
    """A node of 中华人民共和国职业分类大典（2022）: 大类 1, 中类 2, 小类 3, 细类 4."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # e.g. 6-18-01-01
    name: Mapped[str] = mapped_column(String(100))  # without the edition's L / S markers
    level: Mapped[int] = mapped_column(index=True)
    parent_code: Mapped[str | None] = mapped_column(String(10))
    green: Mapped[bool] = mapped_column(default=False)  # 绿色职业 (L)
    digital: Mapped[bool] = mapped_column(default=False)  # 数字职业 (S)
    definition: Mapped[str | None] = mapped_column(Text)
    tasks: Mapped[str | None] = mapped_column(Text)
    alias_text: Mapped[str] = mapped_column(Text, default="")  # other names, one a line

    @property
    def aliases(self) -> list[str]:
        return [a for a in self.alias_text.split("\n") if a]


class MajorOccupation(Base):
    """A major and an occupation its graduates go into, from a named source."""

    __tablename__ = "major_occupations"

    major_code: Mapped[str] = mapped_column(
        ForeignKey("majors.code", ondelete="CASCADE"), primary_key=True
    )
    occupation_code: Mapped[str] = mapped_column(
        ForeignKey("occupations.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(200))
