"""History: every change to an experiment, recorded once by the service that makes it."""
