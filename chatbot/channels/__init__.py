"""Channel adapters: wire payloads to events, effects to wire calls."""
