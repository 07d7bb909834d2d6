"""Matching: cohort supply, the score, and ranking cohorts and demands."""
