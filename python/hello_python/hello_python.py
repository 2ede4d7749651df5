"""The example image's program: greets whoever runs it."""

import platform


def greeting() -> str:
    """The line the program prints."""
    return f"Hello from Python {platform.python_version()} in a RegistryPush example image!"


if __name__ == "__main__":
    print(greeting())
