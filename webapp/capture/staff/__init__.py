"""The staff survey (內部同仁滿意度調查): rounds a coordinator opens per half-year, one-time codes
handed to each office's staff, and answers given anonymously on the web."""
