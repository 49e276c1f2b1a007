"""Public pages about the site itself: the accessibility statement (``/accessibility``)."""
