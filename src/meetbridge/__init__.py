"""meetbridge: book meetings with colleagues on the calendars an organisation already uses."""

__version__ = "0.1.0"
