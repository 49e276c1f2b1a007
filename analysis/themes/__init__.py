"""Comment themes: the catalogue (versioned data) and the coding of a comment against it."""
