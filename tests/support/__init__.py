"""Test helpers shared by the tests and the benchmarks: replay and SMTP servers, archives, digest inputs."""
