"""Assess: scope, assignment and gap finding for one profile, computed once."""
