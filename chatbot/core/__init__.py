"""Pure values shared by the engine, the classifier and the edges: no IO here."""
