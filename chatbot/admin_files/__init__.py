"""Admin files on disk (flows/, their rules and texts, prompts/): read once, checked, loaded."""
