"""FOLLOW-UP: what happens to a call after it is read: followers, cases through the workflow, the overview, the report.

rules.py and report.py are pure; actions.py and overview.py are the use cases the web app and the CLI share.
"""
