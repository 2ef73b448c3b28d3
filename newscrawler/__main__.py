"""``python -m newscrawler``: the command line."""

from .cli import main

main()
