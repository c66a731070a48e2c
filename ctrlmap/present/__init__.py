"""Present: shape an assessment into what the reports and exports show."""
