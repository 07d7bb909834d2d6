"""Matching ranks student cohorts for a demand, and open demands for a college.

A cohort is one college's graduates of one major, level and graduation year (and place).
Its **score** (0–1) is a weighted sum of five factors, each valued 0–100:

`score = (Wm·major + Wl·level + Wy·graduation_year + Wp·place + Wc·coverage) / 10,000`

with the weights, in percent, from the settings `MATCHING_WEIGHT_MAJOR` (default 40),
`_LEVEL` (15), `_GRADUATION_YEAR` (15), `_PLACE` (10) and `_COVERAGE` (20), summing to 100.

* **major**: the closest relation of the cohort's major to any of the demand's codes:
  the major asked for, or inside the class or category asked for, 100; the same class 75;
  the same discipline at another level (category shifted by 20: 4601xx ↔ 6601xx ↔ 2601xx)
  60; the same category 50; the same class at another level 45; a class serving the same
  Weihai industry cluster 35.
* **level**: a wanted level, or no level named, 100; the adjacent level 50; otherwise 0.
* **graduation_year**: a wanted year, or none named, 100; one year off 50; otherwise 0.
* **place**: against the demand's district (default: the enterprise's): the same
  county-level district 100, the same city 60, elsewhere 20; no place known 100.
* **coverage**: the cohort's expected graduates as a percentage of the demand's
  headcount, at most 100.

Every match lists its five reasons (`factor`, `weight`, `value`, `text`); the score is
`Σ weight × value`, rounded to 4 decimals. Candidates come from indexed queries only
(major code ranges for the demand's categories, its discipline at the other levels and
the cluster-related classes; graduation years within one year of those wanted; wanted or
adjacent levels), aggregated in SQL. Scores are computed in integers, so the ranking is
the same on every database; ties break by college id, major code, level, graduation year
and district (demands: by id).

Supply is the latest published student distribution period (`period` chooses another);
a college sees its own current submission in place of its published rows.
"""
