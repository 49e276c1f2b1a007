"""改善追蹤: the cases offices answer and reviewers accept (issue 13, item 3)."""
