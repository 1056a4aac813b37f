"""Instructor tooling for the course: build the release, grade submissions, feedback, reports."""
