#!/usr/bin/env python
"""Django's command-line utility in the source tree; installed, the same is ``estateapp``."""

from config.cli import main

if __name__ == "__main__":
    main()
