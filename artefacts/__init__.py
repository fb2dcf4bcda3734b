"""A command's output files: written atomically and durably, in a folder one command holds at a time."""
