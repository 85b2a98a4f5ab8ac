"""`python -m turbogen ...`: the same as the `turbogen` command."""
import sys

from .cli.main import main

sys.exit(main())
