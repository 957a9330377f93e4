"""Catch rates of every calibration case over many students' hidden draws (ninja_autograde/catch_rates.py).

    python benchmarks/catch_rates.py [ASSIGNMENT ...] [--students 1000]
"""
import sys

from ninja_autograde.catch_rates import main

if __name__ == "__main__":
    sys.exit(main())
