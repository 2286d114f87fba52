"""SQS: the integrator's queues that notification destinations name, read with an AWS SDK."""
