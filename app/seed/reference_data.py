"""Load the reference data shipped in `app/reference/data` into the database, idempotently."""

import csv
from collections.abc import Iterable
from importlib import resources
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from app.models import (
    Certificate,
    Cluster,
    ClusterIndustry,
    ClusterMajorClass,
    District,
    Industry,
    Major,
    MajorOccupation,
    Occupation,
)
from app.models.base import Base

LEVELS = {
    "中等职业教育": "secondary",
    "高等职业教育专科": "higher",
    "高等职业教育本科": "undergraduate",
}


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("app.reference").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _majors() -> Iterable[dict[str, Any]]:
    sources = (
        ("vocational_major_catalog_2021.csv", "2021"),
        ("vocational_major_additions_2022_2025.csv", "2022-2025"),
    )
    for name, catalog in sources:
        for row in _read(name):
            yield {
                "code": row["code"],
                "name": row["name"],
                "kind": row["level"],
                "level": LEVELS[row["education_level"]],
                "parent_code": row["parent_code"] or None,
                "category_code": row["category_code"],
                "class_code": row["class_code"] or None,
                "state_controlled": row.get("state_controlled") == "Y",
                "catalog": catalog,
                "note": row.get("note") or None,
            }


def _industries() -> Iterable[dict[str, Any]]:
    for row in _read("gbt4754_2017_industry.csv"):
        yield {
            **row,
            "parent_code": row["parent_code"] or None,
            "description": row["description"] or None,
        }


def _districts() -> Iterable[dict[str, Any]]:
    for name in ("weihai_divisions.csv", "weihai_custom_zones.csv"):
        for row in _read(name):
            yield {**row, "parent_code": row["parent_code"] or None}


CROSSWALK_SOURCE = "人社部《职业信息与教育培训项目（专业）信息对应指引（2023年版）》"
MARKERS = ("L/S", "L", "S")  # the 2022 edition's marks of green (L) and digital (S) occupations


def occupation_ancestors(code: str) -> list[str]:
    """The codes above `code`, nearest first: 6-18-01-01 → 6-18-01-00, 6-18-00-00, 6-00-00-00."""
    parts = code.split("-")
    return [
        "-".join(parts[:n] + ["00"] * (4 - n))
        for n in (3, 2, 1)
        if any(p != "00" for p in parts[n:])
    ]


def _occupations() -> Iterable[dict[str, Any]]:
    """The 大典's rows, one per code (the source repeats four), names without their marks."""
    rows: dict[str, dict[str, str]] = {}
    for row in _read("occupations_csco_2022.csv"):
        rows.setdefault(row["code"], row)
    for code, row in rows.items():
        name = row["name"]
        marker = next((m for m in MARKERS if name.endswith(m)), "")
        name = name.removesuffix(marker) if marker else name
        aliases = [a.strip() for a in row["alias"].split(",")]
        aliases = [a for a in dict.fromkeys(aliases) if a and a not in (name, row["name"])]
        yield {
            "code": code,
            "name": name,
            "level": int(row["level"]),
            "parent_code": next((a for a in occupation_ancestors(code) if a in rows), None),
            "green": "L" in marker,
            "digital": "S" in marker,
            "definition": row["definition"] or None,
            "tasks": row["tasks"] or None,
            "alias_text": "\n".join(aliases),
        }


def _major_occupations(occupations: set[str]) -> Iterable[dict[str, Any]]:
    """The crosswalk's pairs whose occupation is in the catalogue (16 pairs name 4 codes
    added after 2022 and are left out)."""
    for row in _read("major_occupation_crosswalk_2023.csv"):
        if row["occupation_code"] in occupations:
            yield {
                "major_code": row["major_code"],
                "occupation_code": row["occupation_code"],
                "source": CROSSWALK_SOURCE,
            }


def _sync(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    """Insert missing rows and update changed ones, by primary key; returns rows written."""
    table = cast(Table, model.__table__)
    keys = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns]
    existing = {
        tuple(r[k] for k in keys): dict(r) for r in session.execute(select(table)).mappings()
    }
    new, changed = [], []
    for row in rows:
        row = {c: row.get(c) for c in columns if c in row}
        key = tuple(row[k] for k in keys)
        old = existing.get(key)
        if old is None:
            new.append(row)
        elif any(old.get(c) != v for c, v in row.items()):
            changed.append(row)
    if new:
        session.execute(insert(table), new)
    for row in changed:
        session.execute(update(table).where(*(table.c[k] == row[k] for k in keys)).values(**row))
    return len(new) + len(changed)


def load_reference_data(session: Session) -> dict[str, int]:
    """Bring every reference table up to the shipped files; safe to run again and again."""
    certificates = [
        {
            "batch": int(r["batch"]),
            "seq": int(r["seq"]),
            "name": r["name"],
            "organization": r["organization"],
        }
        for r in _read("onex_certificates_batch1_2_partial.csv")
    ]
    known = set(session.scalars(select(Certificate.name)))
    new_certificates = [c for c in certificates if c["name"] not in known]
    if new_certificates:
        session.execute(insert(Certificate), new_certificates)
    written = {
        "majors": _sync(session, Major, _majors()),
        "industries": _sync(session, Industry, _industries()),
        "districts": _sync(session, District, _districts()),
        "clusters": _sync(session, Cluster, _read("clusters.csv")),
        "cluster_major_classes": _sync(
            session, ClusterMajorClass, _read("cluster_major_classes.csv")
        ),
        "cluster_industries": _sync(session, ClusterIndustry, _read("cluster_industries.csv")),
        "certificates": len(new_certificates),
    }
    occupations = list(_occupations())
    written["occupations"] = _sync(session, Occupation, occupations)
    session.flush()
    codes = {o["code"] for o in occupations}
    written["major_occupations"] = _sync(session, MajorOccupation, _major_occupations(codes))
    session.flush()
    return written
