"""Contact cases (民眾抱怨處理): a citizen's call-back request, due in working days, answered
by the office's manager attempt by attempt until it is closed as reached, resolved or not
reachable."""
