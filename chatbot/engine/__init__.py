"""Pure flow engine: flow file models, the loader with file:line errors, and step()."""
