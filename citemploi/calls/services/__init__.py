"""Writes of the calls domain. Every entry point (screens, API, tasks) goes through these services: they
check the policy for the acting context, write in one transaction with their audit row, and move objects
through their state machine with citemploi.calls.machines.move."""
