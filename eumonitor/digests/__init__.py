"""DIGEST: everything that goes out by e-mail: build, render, send, staff alerts, the mailer."""
