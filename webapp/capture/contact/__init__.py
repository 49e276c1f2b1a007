"""A citizen who was let down asks to be contacted (民眾抱怨處理): the offer after the survey,
the contact details kept apart from the answers, and the event that opens the office's contact
case in the cycle above (``webapp.cycle.contacts``)."""
