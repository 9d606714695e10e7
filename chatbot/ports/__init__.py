"""The contracts between the pure core and the edges: what each side may expect of the other."""
