"""Each account's notifications (issue 13, item 4)."""
