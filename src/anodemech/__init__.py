"""anodemech: finite-strain chemo-mechanics of swelling battery anodes (DOLFINx, Gmsh, PETSc)."""

__version__ = "0.1.0"
