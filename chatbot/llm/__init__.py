"""The LLM edge: the OpenAI SDK client, the intent classifier and the flow-text writer.

Only this package imports `openai`. Both clients make their calls through one guarded call
(guarded.py): a circuit breaker, a total deadline with retries, and the stats the metrics show.
"""
