"""Hidden checks (verdicts). Each test takes `run`, calls a probe through it and judges the plain data."""
