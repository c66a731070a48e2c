"""Analyze: comparing models, planning the transition, the crosswalk and the recommendation."""
