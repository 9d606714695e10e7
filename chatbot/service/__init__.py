"""IO services: the pipeline, the scheduler, the outbox and the simulator."""
