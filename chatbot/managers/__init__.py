"""The managers' side: task cards in a Telegram group, their buttons, replies, /tasks and /sla."""
