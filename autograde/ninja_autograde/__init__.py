"""Backprop Ninja's instructor-only side: the referee, the parallel grader, the jail, the class report,
calibration and the course tooling.

Never given to students, and never importable from a student's kernel while grading: what a test cell
calls is `ninja_runner`, beside this package (the exercises' declarations, which the referee judges with)."""
