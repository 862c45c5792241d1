"""Physics: finite-strain chemo-mechanics."""
