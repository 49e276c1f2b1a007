"""Staff sign in and out (``/login``, ``/logout``) and the front page (``/``).

Citizens never sign in; ``security.roles_required`` guards every staff page.
"""
