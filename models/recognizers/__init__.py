"""recognizers package."""
