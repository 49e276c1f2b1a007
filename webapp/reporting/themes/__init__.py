"""What citizens' comments are about: each comment read into themes and a tone when it is
stored, kept with the words that decided it, read again after a new catalogue version, and
corrected by an analyst where the reading is wrong (the correction wins and is audited).
"""
