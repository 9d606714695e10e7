"""Asyncio helpers shared by the channels and the service; they import neither service/ nor db/."""
