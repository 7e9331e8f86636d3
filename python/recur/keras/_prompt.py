"""Keras's overwrite prompt (``keras.src.utils.io_utils.ask_to_proceed_with_overwrite``)."""


def ask_to_proceed_with_overwrite(filepath):
    """Asks on the console whether to overwrite ``filepath``; True to proceed."""
    overwrite = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while overwrite not in ("y", "n"):
        overwrite = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if overwrite == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True
