"""``python -m newscrawler`` and the ``newscrawler`` script: the command line."""


def main() -> None:
    # Before the imports, which take a while: a Ctrl-C meanwhile waits for the command.
    from .stopsignals import hold

    hold()
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
