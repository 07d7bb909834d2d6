"""Colleges' half-yearly student distribution: periods, uploads, rows, submissions and reports."""
