"""The managers' side: task cards in a Telegram group, buttons, replies, /tasks, /sla, /spam."""
