"""Pure intent classification: rules, LLM answer parsing and the decision policy."""
