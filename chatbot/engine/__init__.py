"""Pure flow engine: flow models, menus, the decision for one message, and step()."""
