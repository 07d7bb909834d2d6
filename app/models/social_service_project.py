from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum
from app.models.enums import TargetGroup
from app.models.feed import FeedItem, feed_indexes, relink


class SocialServiceProjectTargetGroup(Base):
    __tablename__ = "social_service_project_target_groups"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("social_service_projects.id", ondelete="CASCADE"), primary_key=True
    )
    target_group: Mapped[TargetGroup] = mapped_column(
        str_enum(TargetGroup, "target_group"), primary_key=True, index=True
    )


class SocialServiceProjectCertificate(Base):
    __tablename__ = "social_service_project_certificates"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("social_service_projects.id", ondelete="CASCADE"), primary_key=True
    )
    certificate: Mapped[str] = mapped_column(
        String(200), ForeignKey("certificates.name"), primary_key=True, index=True
    )


class SocialServiceProject(FeedItem, Base):
    """A skills-training project of a college or training institution,
    published by the education or HR bureau."""

    __tablename__ = "social_service_projects"
    __table_args__ = feed_indexes("social_service_projects")

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int]
    start_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date | None]

    target_group_links: Mapped[list[SocialServiceProjectTargetGroup]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    certificate_links: Mapped[list[SocialServiceProjectCertificate]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def target_groups(self) -> list[TargetGroup]:
        return sorted(link.target_group for link in self.target_group_links)

    @target_groups.setter
    def target_groups(self, groups: list[TargetGroup]) -> None:
        self.target_group_links = relink(
            self.target_group_links,
            groups,
            "target_group",
            lambda g: SocialServiceProjectTargetGroup(target_group=g),
        )

    @property
    def certificates(self) -> list[str]:
        return sorted(link.certificate for link in self.certificate_links)

    @certificates.setter
    def certificates(self, names: list[str]) -> None:
        self.certificate_links = relink(
            self.certificate_links,
            names,
            "certificate",
            lambda n: SocialServiceProjectCertificate(certificate=n),
        )
