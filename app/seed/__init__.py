"""Seed data: reference tables shipped with the code, and the demo accounts and content."""
