from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum
from app.models.enums import CooperationKind
from app.models.feed import FeedItem, feed_indexes, relink


class CooperationProjectEnterprise(Base):
    __tablename__ = "cooperation_project_enterprises"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_projects.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CooperationProjectCollege(Base):
    __tablename__ = "cooperation_project_colleges"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_projects.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CooperationProjectMajor(Base):
    __tablename__ = "cooperation_project_majors"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_projects.id", ondelete="CASCADE"), primary_key=True
    )
    major_code: Mapped[str] = mapped_column(
        String(8), ForeignKey("majors.code"), primary_key=True, index=True
    )


class CooperationProject(FeedItem, Base):
    """A school–enterprise cooperation project: kept and published by the industry bureau,
    proposed as drafts by colleges and enterprises."""

    __tablename__ = "cooperation_projects"
    __table_args__ = feed_indexes("cooperation_projects")

    kind: Mapped[CooperationKind] = mapped_column(str_enum(CooperationKind, "kind"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date | None]

    # Loaded with the project in one query per page (selectin); the properties sort them.
    enterprise_links: Mapped[list[CooperationProjectEnterprise]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    college_links: Mapped[list[CooperationProjectCollege]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    major_links: Mapped[list[CooperationProjectMajor]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def enterprise_ids(self) -> list[int]:
        return sorted(link.organization_id for link in self.enterprise_links)

    @enterprise_ids.setter
    def enterprise_ids(self, ids: list[int]) -> None:
        self.enterprise_links = relink(
            self.enterprise_links,
            ids,
            "organization_id",
            lambda i: CooperationProjectEnterprise(organization_id=i),
        )

    @property
    def college_ids(self) -> list[int]:
        return sorted(link.organization_id for link in self.college_links)

    @college_ids.setter
    def college_ids(self, ids: list[int]) -> None:
        self.college_links = relink(
            self.college_links,
            ids,
            "organization_id",
            lambda i: CooperationProjectCollege(organization_id=i),
        )

    @property
    def major_codes(self) -> list[str]:
        return sorted(link.major_code for link in self.major_links)

    @major_codes.setter
    def major_codes(self, codes: list[str]) -> None:
        self.major_links = relink(
            self.major_links, codes, "major_code", lambda c: CooperationProjectMajor(major_code=c)
        )
