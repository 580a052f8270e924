"""User-facing errors: the CLI prints their message as one line on stderr and exits with code 2."""


class UsageError(Exception):
    """Bad input from the user (config, paths, server settings); never a bug in graphgen."""
